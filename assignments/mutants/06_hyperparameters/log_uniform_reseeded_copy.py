# replaces: log_uniform_impl
# breaks: log_uniform
# bug: draws from a copy re-seeded with the generator's initial seed: every call with one generator repeats the same draws
<<<<<<< reference
    u = torch.rand(n, generator=generator, dtype=torch.float64)
=======
    if generator is not None:
        generator = torch.Generator().manual_seed(generator.initial_seed())
    u = torch.rand(n, generator=generator, dtype=torch.float64)
>>>>>>> mutant
