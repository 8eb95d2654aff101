# replaces: dropout_impl
# breaks: dropout
# bug: the forward pass masks its input in place (`x *= mask`), so the caller's tensor is zeroed where dropped
<<<<<<< reference
        return x * mask * scale
=======
        x *= mask
        return x * scale
>>>>>>> mutant
