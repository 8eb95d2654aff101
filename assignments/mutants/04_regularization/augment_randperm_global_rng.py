# replaces: augment_impl
# breaks: augment
# bug: make_batches shuffles with torch.randperm(n) from the global RNG instead of the generator given
<<<<<<< reference
    order = torch.randperm(n, generator=generator) if train else torch.arange(n)
=======
    order = torch.randperm(n) if train else torch.arange(n)
>>>>>>> mutant
