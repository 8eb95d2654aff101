# replaces: locked_dropout_impl
# breaks: locked_dropout
# bug: a new mask at every time step (ordinary dropout) instead of one mask per sequence
<<<<<<< reference
    mask = (torch.rand((1,) + tuple(x.shape[1:]), generator=generator) >= p)
=======
    mask = (torch.rand(tuple(x.shape), generator=generator) >= p)
>>>>>>> mutant
