# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: the steepest point is the rate where the steepest step ends (lrs[j + 1]), not where it starts
<<<<<<< reference
    return lrs[steep], lrs[lowest] / 10
=======
    return lrs[steep + 1], lrs[lowest] / 10
>>>>>>> mutant
