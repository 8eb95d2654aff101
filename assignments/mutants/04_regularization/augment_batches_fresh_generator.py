# replaces: augment_impl
# breaks: augment
# bug: generator=None becomes a fresh torch.Generator(): every run shuffles the same way whatever the seed
<<<<<<< reference
    order = torch.randperm(n, generator=generator) if train else torch.arange(n)
=======
    if generator is None:
        generator = torch.Generator()
    order = torch.randperm(n, generator=generator) if train else torch.arange(n)
>>>>>>> mutant
