# replaces: penalty_impl
# breaks: penalty
# bug: the factor 1/2 is missing: lam * sum w^2, whose gradient is 2 * lam * w
<<<<<<< reference
    return lam / 2 * sum((w ** 2).sum() for w in weights)
=======
    return lam * sum((w ** 2).sum() for w in weights)
>>>>>>> mutant
