# replaces: hyperband_impl
# breaks: hyperband
# bug: Li et al.'s bracket sizes ceil((s_max + 1) / (s + 1) * eta**s), which the contract does not use
<<<<<<< reference
        configs = sample(eta ** s)
=======
        configs = sample(math.ceil((s_max + 1) / (s + 1) * eta ** s))
>>>>>>> mutant
