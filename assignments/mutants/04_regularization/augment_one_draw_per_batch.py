# replaces: augment_impl
# breaks: augment
# bug: one random (dy, dx) for the whole batch (what v2.RandomCrop does on a batch tensor) instead of one per sample
<<<<<<< reference
    offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=generator)
=======
    offsets = torch.randint(0, 2 * s + 1, (1, 2), generator=generator).expand(n, 2)
>>>>>>> mutant
