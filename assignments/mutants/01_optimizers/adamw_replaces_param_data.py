# replaces: adamw_impl
# breaks: adamw
# bug: the decoupled decay assigns a new tensor to p.data instead of scaling p in place
<<<<<<< reference
                p.mul_(1 - lr * wd)
=======
                p.data = p.data * (1 - lr * wd)
>>>>>>> mutant
