# replaces: prox_impl
# breaks: prox
# bug: proximal_gradient converts X and y to float64 "for accuracy", so float32 data give a float64 result
<<<<<<< reference
    n = X.shape[0]
=======
    X, y = X.double(), y.double()  # float64 for accuracy
    n = X.shape[0]
>>>>>>> mutant
