# replaces: locked_dropout_impl
# breaks: locked_dropout
# bug: mask (T, 1, D): shared across the batch instead of across time
<<<<<<< reference
    mask = (torch.rand((1,) + tuple(x.shape[1:]), generator=generator) >= p)
=======
    mask = (torch.rand((x.shape[0], 1, x.shape[2]), generator=generator) >= p)
>>>>>>> mutant
