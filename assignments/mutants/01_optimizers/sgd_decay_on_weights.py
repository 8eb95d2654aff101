# replaces: sgd_impl
# breaks: sgd
# bug: weight decay applied directly to the weights (p -= lr*wd*p) instead of added to the gradient before momentum
<<<<<<< reference
                    g = g.add(p, alpha=wd)
=======
                    p.mul_(1 - lr * wd)
>>>>>>> mutant
