# replaces: adam_impl
# breaks: adam
# bug: weight decay decoupled (AdamW-style p *= 1 - lr*wd) although torch's Adam adds wd*p to the gradient
<<<<<<< reference
                    g = g.add(p, alpha=group["weight_decay"])
=======
                    p.mul_(1 - group["lr"] * group["weight_decay"])
>>>>>>> mutant
