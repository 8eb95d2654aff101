# replaces: dropout_impl
# breaks: dropout
# bug: mixes the conventions: inverted scaling in training and, on top, multiplies by 1-p in eval
<<<<<<< reference
    if not training or p == 0.0:
        return x
    keep
=======
    if not training:
        return x * (1.0 - p)
    if p == 0.0:
        return x
    keep
>>>>>>> mutant
