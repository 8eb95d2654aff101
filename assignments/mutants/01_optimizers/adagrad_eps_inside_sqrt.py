# replaces: adagrad_impl
# breaks: adagrad
# bug: eps inside the square root: sqrt(sum + eps)
<<<<<<< reference
                p.addcdiv_(g, state["sum"].sqrt().add_(group["eps"]), value=-clr)
=======
                p.addcdiv_(g, state["sum"].add(group["eps"]).sqrt(), value=-clr)
>>>>>>> mutant
