# replaces: layernorm_impl
# breaks: layernorm
# bug: statistics over the last dimension only, whatever the length of normalized_shape
<<<<<<< reference
        dims = tuple(range(x.dim() - len(normalized_shape), x.dim()))
=======
        dims = (x.dim() - 1,)
>>>>>>> mutant
