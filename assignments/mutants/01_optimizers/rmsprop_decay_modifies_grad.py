# replaces: rmsprop_impl
# breaks: rmsprop
# bug: weight decay is added to p.grad in place (g.add_), changing the caller's gradient
<<<<<<< reference
                    g = g.add(p, alpha=group["weight_decay"])
=======
                    g.add_(p, alpha=group["weight_decay"])
>>>>>>> mutant
