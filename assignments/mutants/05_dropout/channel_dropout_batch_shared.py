# replaces: channel_dropout_impl
# breaks: channel_dropout
# bug: one channel mask (1, C, 1, 1) shared by every sample of the batch
<<<<<<< reference
    shape = tuple(x.shape[:2]) + (1,) * (x.dim() - 2)
=======
    shape = (1, x.shape[1]) + (1,) * (x.dim() - 2)
>>>>>>> mutant
