# replaces: hyperband_impl
# breaks: hyperband
# bug: evaluates each bracket's winner once more at the largest budget to compare the brackets
<<<<<<< reference
    best = min(range(len(brackets)), key=lambda k: brackets[k][2][-1][2][0])  # min keeps the first on ties
=======
    finals = [evaluate(configs[winner], min_budget * eta ** s_max) for configs, winner, _ in brackets]
    best = finals.index(min(finals))
>>>>>>> mutant
