# replaces: locked_dropout_impl
# breaks: locked_dropout
# bug: draws the mask with torch.bernoulli without passing the generator (torch's global generator is used)
<<<<<<< reference
    mask = (torch.rand((1,) + tuple(x.shape[1:]), generator=generator) >= p).to(device=x.device, dtype=x.dtype)
=======
    mask = torch.bernoulli(torch.full((1,) + tuple(x.shape[1:]), 1.0 - p, dtype=x.dtype, device=x.device))
>>>>>>> mutant
