# replaces: dropout_impl
# breaks: dropout
# bug: re-seeds a new generator on every call (ignoring `generator`), so every call draws the same mask
<<<<<<< reference
    keep = torch.rand(x.shape, generator=generator) >= p
=======
    keep = torch.rand(x.shape, generator=make_generator(0)) >= p
>>>>>>> mutant
