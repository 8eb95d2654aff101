# replaces: suggest_lr_impl
# breaks: suggest_lr
# bug: the moving average starts at the first loss (pandas' adjust=False) instead of the bias-corrected one
<<<<<<< reference
    smooth, avg = [], 0.0
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * float(loss)
        smooth.append(avg / (1 - beta ** (i + 1)))
=======
    smooth, avg = [], float(losses[0])
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * float(loss)
        smooth.append(avg)
>>>>>>> mutant
