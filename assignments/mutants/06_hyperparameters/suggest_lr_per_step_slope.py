# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: the slope is taken per step, not per unit of ln(lr): right only for an exponential schedule
<<<<<<< reference
    slopes = [(smooth[j + 1] - smooth[j]) / (math.log(lrs[j + 1]) - math.log(lrs[j])) for j in range(len(lrs) - 1)]
=======
    slopes = [smooth[j + 1] - smooth[j] for j in range(len(lrs) - 1)]
>>>>>>> mutant
