# replaces: weight_norm_impl
# breaks: weight_norm
# bug: written for matrices: the norm over the one other dimension (right for Linear, wrong for conv weights)
<<<<<<< reference
        dims = [d for d in range(v.dim()) if d != dim]
=======
        dims = [1 - dim]
>>>>>>> mutant
