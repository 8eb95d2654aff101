# replaces: adadelta_impl
# breaks: adadelta
# bug: the parameter is replaced by a new tensor (p.data = p.data - lr * delta), not updated in place
<<<<<<< reference
                p.add_(delta, alpha=-group["lr"])
=======
                p.data = p.data - group["lr"] * delta
>>>>>>> mutant
