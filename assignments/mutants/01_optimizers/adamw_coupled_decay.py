# replaces: adamw_impl
# breaks: adamw
# bug: AdamW with coupled decay: wd*p added to the gradient (that is Adam + L2, not AdamW)
<<<<<<< reference
                p.mul_(1 - lr * wd)
                g = p.grad
=======
                g = p.grad.add(p, alpha=wd)
>>>>>>> mutant
