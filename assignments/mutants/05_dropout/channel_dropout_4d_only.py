# replaces: channel_dropout_impl
# breaks: channel_dropout
# bug: mask shape hard-coded to (N, C, 1, 1): wrong for inputs with other than 2 spatial dimensions
<<<<<<< reference
    shape = tuple(x.shape[:2]) + (1,) * (x.dim() - 2)
=======
    shape = (x.shape[0], x.shape[1], 1, 1)
>>>>>>> mutant
