# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: indexes the given sequences directly: tensors in give 0-dim tensors out, not Python floats
<<<<<<< reference
    lrs = [float(v) for v in lrs]
    smooth, avg = [], 0.0
=======
    lrs_given = lrs
    lrs = [float(v) for v in lrs]
    smooth, avg = [], 0.0
>>>>>>> mutant
<<<<<<< reference
    return lrs[steep], lrs[lowest] / 10
=======
    return lrs_given[steep], lrs_given[lowest] / 10
>>>>>>> mutant
