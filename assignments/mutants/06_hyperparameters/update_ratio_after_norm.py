# replaces: update_ratio_impl
# breaks: update_ratio
# bug: divides by the norm of the weights after the step instead of before
<<<<<<< reference
    ratios = {name: float((p.detach() - before[name]).norm() / before[name].norm()) for name, p in weights}
=======
    ratios = {name: float((p.detach() - before[name]).norm() / p.detach().norm()) for name, p in weights}
>>>>>>> mutant
