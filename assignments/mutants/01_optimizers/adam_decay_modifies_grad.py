# replaces: adam_impl
# breaks: adam
# bug: coupled weight decay is added to p.grad in place (g += wd * p), changing the caller's gradient
<<<<<<< reference
                    g = g.add(p, alpha=group["weight_decay"])
=======
                    g += group["weight_decay"] * p
>>>>>>> mutant
