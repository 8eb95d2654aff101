# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: lr_min is the rate of the minimum itself, not divided by 10
<<<<<<< reference
    return lrs[steep], lrs[lowest] / 10
=======
    return lrs[steep], lrs[lowest]
>>>>>>> mutant
