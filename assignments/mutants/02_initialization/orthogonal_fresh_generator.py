# replaces: orthogonal_impl
# breaks: orthogonal
# bug: generator=None becomes a fresh torch.Generator() (the same default seed in every run) instead of the global generator
<<<<<<< reference
    a = torch.empty(rows, cols, dtype=tensor.dtype).normal_(0.0, 1.0, generator=generator)
=======
    a = torch.empty(rows, cols, dtype=tensor.dtype).normal_(0.0, 1.0, generator=generator or torch.Generator())
>>>>>>> mutant
