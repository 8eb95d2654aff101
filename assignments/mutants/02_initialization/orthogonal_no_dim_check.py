# replaces: orthogonal_impl
# breaks: orthogonal
# bug: no check of the number of dimensions: a 1-D tensor is silently normalized instead of raising ValueError
<<<<<<< reference
    if tensor.dim() < 2:
        raise ValueError("only tensors with 2 or more dimensions are supported")
=======
>>>>>>> mutant
