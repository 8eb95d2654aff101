# replaces: augment_impl
# breaks: augment
# bug: generator=None becomes a fresh torch.Generator() (the same default seed in every run) instead of the global generator
<<<<<<< reference
    offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=generator)
=======
    offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=generator or torch.Generator())
>>>>>>> mutant
