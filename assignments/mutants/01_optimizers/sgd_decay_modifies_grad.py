# replaces: sgd_impl
# breaks: sgd
# bug: weight decay is added to p.grad in place (g.add_), changing the caller's gradient
<<<<<<< reference
                    g = g.add(p, alpha=wd)
=======
                    g.add_(p, alpha=wd)
>>>>>>> mutant
