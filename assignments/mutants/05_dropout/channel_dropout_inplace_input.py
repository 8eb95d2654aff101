# replaces: channel_dropout_impl
# breaks: channel_dropout
# bug: masks the input in place (`x *= mask`) and scales that: the caller's tensor is modified
<<<<<<< reference
    return x * mask * scale
=======
    x *= mask
    return x * scale
>>>>>>> mutant
