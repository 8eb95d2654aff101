# replaces: dropout_impl
# breaks: dropout
# bug: p = 1 is not special-cased: 1 / (1 - p) raises ZeroDivisionError
<<<<<<< reference
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
=======
        scale = 1.0 / (1.0 - p)
>>>>>>> mutant
