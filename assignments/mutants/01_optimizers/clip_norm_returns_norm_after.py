# replaces: clip_norm_impl
# breaks: clip_norm
# bug: returns the total norm after clipping instead of before
<<<<<<< reference
    return total
=======
    return total * coef
>>>>>>> mutant
