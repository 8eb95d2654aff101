# replaces: dropout_impl
# breaks: dropout
# bug: draws the mask from torch's global generator, ignoring the `generator` argument
<<<<<<< reference
    keep = torch.rand(x.shape, generator=generator) >= p
=======
    keep = torch.rand(x.shape) >= p
>>>>>>> mutant
