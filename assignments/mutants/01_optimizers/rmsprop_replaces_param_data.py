# replaces: rmsprop_impl
# breaks: rmsprop
# bug: the update assigns a new tensor to p.data instead of updating p in place
<<<<<<< reference
                p.addcdiv_(g, sq.sqrt().add_(group["eps"]), value=-group["lr"])
=======
                p.data = p.data - group["lr"] * g / (sq.sqrt() + group["eps"])
>>>>>>> mutant
