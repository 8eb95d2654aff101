# replaces: layernorm_impl
# breaks: layernorm
# bug: layer norm statistics taken over the batch axis (dim 0), as batch norm does
<<<<<<< reference
        dims = tuple(range(x.dim() - len(normalized_shape), x.dim()))
=======
        dims = (0,)
>>>>>>> mutant
