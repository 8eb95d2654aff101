# replaces: adadelta_impl
# breaks: adadelta
# bug: weight decay added to p.grad in place (g.add_), so step() changes the gradient it should only read
<<<<<<< reference
                    g = g.add(p, alpha=group["weight_decay"])
=======
                    g.add_(p, alpha=group["weight_decay"])
>>>>>>> mutant
