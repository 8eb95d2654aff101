# replaces: prox_impl
# breaks: prox
# bug: the L2 prox divides by (1 + l2) instead of (1 + lr * l2): ridge and elastic net shrink too much
<<<<<<< reference
        w = soft_threshold(w - lr * grad, lr * l1) / (1 + lr * l2)
=======
        w = soft_threshold(w - lr * grad, lr * l1) / (1 + l2)
>>>>>>> mutant
