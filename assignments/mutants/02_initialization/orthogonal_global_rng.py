# replaces: orthogonal_impl
# breaks: orthogonal
# bug: the Gaussian matrix is drawn with torch.randn from the global RNG, ignoring the generator
<<<<<<< reference
    a = torch.empty(rows, cols, dtype=tensor.dtype).normal_(0.0, 1.0, generator=generator)
=======
    a = torch.randn(rows, cols, dtype=tensor.dtype)
>>>>>>> mutant
