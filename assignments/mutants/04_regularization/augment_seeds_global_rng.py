# replaces: augment_impl
# breaks: augment
# bug: random_shift "uses" the generator by reseeding the global RNG with its seed and drawing from the global RNG
<<<<<<< reference
    offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=generator)
=======
    if generator is not None:
        torch.manual_seed(generator.initial_seed())
    offsets = torch.randint(0, 2 * s + 1, (n, 2))
>>>>>>> mutant
