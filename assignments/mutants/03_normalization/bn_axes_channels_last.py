# replaces: batchnorm_impl
# breaks: batchnorm
# bug: reduces over every dimension but the last (channels-last thinking): right for (N, C), wrong for (N, C, H, W)
<<<<<<< reference
        dims = [0] + list(range(2, x.dim()))  # every dimension but the channel one
=======
        dims = list(range(x.dim() - 1))  # every dimension but the channel one
>>>>>>> mutant
