# replaces: augment_impl
# breaks: augment
# bug: shuffles with a copy of the generator re-seeded with its seed: every epoch with one generator is the same epoch
<<<<<<< reference
    order = torch.randperm(n, generator=generator) if train else torch.arange(n)
=======
    if generator is not None:
        generator = torch.Generator().manual_seed(generator.initial_seed())
    order = torch.randperm(n, generator=generator) if train else torch.arange(n)
>>>>>>> mutant
