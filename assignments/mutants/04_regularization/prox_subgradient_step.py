# replaces: prox_impl
# breaks: prox
# bug: a subgradient step lr * (grad + l1 * sign(w)) instead of the proximal step: no exact zeros
<<<<<<< reference
        w = soft_threshold(w - lr * grad, lr * l1) / (1 + lr * l2)
=======
        w = (w - lr * (grad + l1 * torch.sign(w))) / (1 + lr * l2)
>>>>>>> mutant
