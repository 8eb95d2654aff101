# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: returns [steep, lr_min], a list, where the contract says a tuple
<<<<<<< reference
    return lrs[steep], lrs[lowest] / 10
=======
    return [lrs[steep], lrs[lowest] / 10]
>>>>>>> mutant
