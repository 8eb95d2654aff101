# replaces: augment_impl
# breaks: augment
# bug: the images are assumed square (h = w = x.shape[-1]), so a batch with H != W is cropped wrongly
<<<<<<< reference
    n, _, h, w = x.shape
=======
    n = x.shape[0]
    h = w = x.shape[-1]  # square images
>>>>>>> mutant
