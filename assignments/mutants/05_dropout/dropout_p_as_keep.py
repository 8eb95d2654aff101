# replaces: dropout_impl
# breaks: dropout
# bug: p treated as the keep probability: keeps with probability p and scales by 1/p (right only for p = 0.5)
<<<<<<< reference
    keep = torch.rand(x.shape, generator=generator) >= p
=======
    keep = torch.rand(x.shape, generator=generator) < p
>>>>>>> mutant
<<<<<<< reference
    return DropoutFunction.apply(x, mask, p)
=======
    return DropoutFunction.apply(x, mask, 1.0 - p)
>>>>>>> mutant
