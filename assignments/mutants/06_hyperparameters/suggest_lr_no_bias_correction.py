# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: the moving average is not bias-corrected: it starts near 0 and rises during the first steps
<<<<<<< reference
        smooth.append(avg / (1 - beta ** (i + 1)))
=======
        smooth.append(avg)
>>>>>>> mutant
