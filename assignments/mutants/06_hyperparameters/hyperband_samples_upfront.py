# replaces: hyperband_impl
# breaks: hyperband
# bug: samples the configurations of every bracket first, then runs the halvings
<<<<<<< reference
    brackets = []
    for s in range(s_max, -1, -1):
        configs = sample(eta ** s)
        winner, rungs = halving(configs, evaluate, min_budget * eta ** (s_max - s), eta)
=======
    brackets = []
    drawn = {s: sample(eta ** s) for s in range(s_max, -1, -1)}
    for s in range(s_max, -1, -1):
        configs = drawn[s]
        winner, rungs = halving(configs, evaluate, min_budget * eta ** (s_max - s), eta)
>>>>>>> mutant
