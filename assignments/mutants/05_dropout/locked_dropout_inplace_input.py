# replaces: locked_dropout_impl
# breaks: locked_dropout
# bug: masks the input in place (`x *= mask`) and scales that: the caller's sequences are modified
<<<<<<< reference
    return x * mask * scale
=======
    x *= mask
    return x * scale
>>>>>>> mutant
