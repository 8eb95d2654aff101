# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: the valley is the minimum of the raw, noisy losses instead of the smoothed ones
<<<<<<< reference
    valley = min(range(len(smooth)), key=lambda k: smooth[k])
=======
    valley = min(range(len(losses)), key=lambda k: losses[k])
>>>>>>> mutant
