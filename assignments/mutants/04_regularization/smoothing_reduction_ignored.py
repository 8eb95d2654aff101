# replaces: smoothing_impl
# breaks: smoothing
# bug: reduction is ignored: always the mean
<<<<<<< reference
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
=======
    return loss.mean()
>>>>>>> mutant
