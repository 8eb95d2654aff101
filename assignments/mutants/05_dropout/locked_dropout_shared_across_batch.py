# replaces: locked_dropout_impl
# breaks: locked_dropout
# bug: one mask (1, 1, D) shared by every sequence of the batch
<<<<<<< reference
    mask = (torch.rand((1,) + tuple(x.shape[1:]), generator=generator) >= p)
=======
    mask = (torch.rand((1, 1) + tuple(x.shape[2:]), generator=generator) >= p)
>>>>>>> mutant
