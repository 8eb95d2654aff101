# replaces: fan_impl
# breaks: fan
# bug: the receptive field comes from np.prod, so conv fans are numpy.int64, not the Python ints asked for
<<<<<<< reference
    receptive_field = 1
    for s in tensor.shape[2:]:
        receptive_field *= int(s)
=======
    receptive_field = np.prod(tensor.shape[2:]) if tensor.dim() > 2 else 1
>>>>>>> mutant
