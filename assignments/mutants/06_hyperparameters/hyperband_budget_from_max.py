# replaces: hyperband_impl
# breaks: hyperband
# bug: bracket s starts at max_budget // eta**s (Li et al.'s R eta^-s) instead of min_budget * eta**(s_max - s)
<<<<<<< reference
        winner, rungs = halving(configs, evaluate, min_budget * eta ** (s_max - s), eta)
=======
        winner, rungs = halving(configs, evaluate, max_budget // eta ** s, eta)
>>>>>>> mutant
