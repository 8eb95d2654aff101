# replaces: update_ratio_impl
# breaks: update_ratio
# bug: chooses the weights by p.grad after the step: a trainable weight that got no gradient in this step is left out
<<<<<<< reference
    ratios = {name: float((p.detach() - before[name]).norm() / before[name].norm()) for name, p in weights}
=======
    ratios = {name: float((p.detach() - before[name]).norm() / before[name].norm())
              for name, p in weights if p.grad is not None}
>>>>>>> mutant
