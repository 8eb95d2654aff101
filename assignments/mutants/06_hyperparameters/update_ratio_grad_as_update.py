# replaces: update_ratio_impl
# breaks: update_ratio
# bug: takes lr * ||grad|| as the size of the step: true only for plain SGD, not with momentum or Adam
<<<<<<< reference
    ratios = {name: float((p.detach() - before[name]).norm() / before[name].norm()) for name, p in weights}
=======
    lr = optimizer.param_groups[0]["lr"]
    ratios = {name: float(lr * p.grad.norm() / before[name].norm()) for name, p in weights}
>>>>>>> mutant
