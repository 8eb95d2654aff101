# replaces: channel_dropout_impl
# breaks: channel_dropout
# bug: draws the channel mask from torch's global generator, ignoring the `generator` argument
<<<<<<< reference
    mask = (torch.rand(shape, generator=generator) >= p).to(device=x.device, dtype=x.dtype)
=======
    mask = (torch.rand(shape) >= p).to(device=x.device, dtype=x.dtype)
>>>>>>> mutant
