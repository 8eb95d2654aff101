# replaces: weight_norm_impl
# breaks: weight_norm
# bug: a 1-D v with dim=0 gets one norm for the whole vector: `sum(dim=[])` reduces every dimension, not none
<<<<<<< reference
    elif v.dim() == 1:  # no dimension but dim: each entry is its own norm (sum(dim=[]) would sum them all)
        norm = v.abs()
=======
>>>>>>> mutant
