# replaces: weight_norm_impl
# breaks: weight_norm
# bug: the norm is taken over `dim` itself instead of over all the other dimensions
<<<<<<< reference
        dims = [d for d in range(v.dim()) if d != dim]
=======
        dims = [dim]
>>>>>>> mutant
