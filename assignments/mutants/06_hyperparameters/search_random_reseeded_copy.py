# replaces: search_impl
# breaks: search
# bug: random_configs draws from a copy re-seeded with the generator's initial seed: a second call repeats the first
<<<<<<< reference
    return [{name: sampler(generator) for name, sampler in space.items()} for _ in range(n)]
=======
    g = torch.Generator().manual_seed(generator.initial_seed())
    return [{name: sampler(g) for name, sampler in space.items()} for _ in range(n)]
>>>>>>> mutant
