# replaces: rmsprop_impl
# breaks: rmsprop
# bug: eps inside the square root: sqrt(v + eps)
<<<<<<< reference
                p.addcdiv_(g, sq.sqrt().add_(group["eps"]), value=-group["lr"])
=======
                p.addcdiv_(g, sq.add(group["eps"]).sqrt(), value=-group["lr"])
>>>>>>> mutant
