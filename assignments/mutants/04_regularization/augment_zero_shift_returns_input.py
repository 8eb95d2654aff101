# replaces: augment_impl
# breaks: augment
# bug: a shortcut for max_shift 0 returns x itself, so the caller's in-place edits of the "augmented" batch change the data
<<<<<<< reference
    s = max_shift
=======
    s = max_shift
    if s == 0:
        return x  # nothing to shift
>>>>>>> mutant
