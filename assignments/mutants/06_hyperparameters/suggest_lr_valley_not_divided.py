# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: the valley is the rate of the minimum itself, not divided by 10
<<<<<<< reference
    return lrs[steep], lrs[valley] / 10
=======
    return lrs[steep], lrs[valley]
>>>>>>> mutant
