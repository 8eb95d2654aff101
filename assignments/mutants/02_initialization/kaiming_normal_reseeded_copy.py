# replaces: kaiming_impl
# breaks: kaiming
# bug: draws from a copy re-seeded with the generator's initial seed: two calls with one generator give the same weights
<<<<<<< reference
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
=======
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    if generator is not None:
        generator = torch.Generator().manual_seed(generator.initial_seed())
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
>>>>>>> mutant
