# replaces: fan_impl
# breaks: fan
# bug: no check of the number of dimensions: a 1-D tensor gives an IndexError instead of a ValueError
<<<<<<< reference
    if tensor.dim() < 2:
        raise ValueError("fan in and fan out can not be computed for a tensor with fewer than 2 dimensions")

=======
>>>>>>> mutant
