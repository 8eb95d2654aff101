# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: lr_min from the minimum of the raw, noisy losses instead of the smoothed ones
<<<<<<< reference
    lowest = min(range(len(smooth)), key=lambda k: smooth[k])
=======
    lowest = min(range(len(losses)), key=lambda k: losses[k])
>>>>>>> mutant
