# replaces: weight_norm_impl
# breaks: weight_norm
# bug: the norm is treated as a constant (detached): w is right but the gradient of v misses the norm's term
<<<<<<< reference
    return g * v / norm
=======
    return g * v / norm.detach()
>>>>>>> mutant
