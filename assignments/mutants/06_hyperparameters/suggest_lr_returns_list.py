# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: returns [steep, valley], a list, where the contract says a tuple
<<<<<<< reference
    return lrs[steep], lrs[valley] / 10
=======
    return [lrs[steep], lrs[valley] / 10]
>>>>>>> mutant
