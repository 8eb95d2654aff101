# replaces: hyperband_impl
# breaks: hyperband
# bug: the best bracket is the one with the lowest loss seen in any of its rungs, not its winner's last-rung loss
<<<<<<< reference
    best = min(range(len(brackets)), key=lambda k: brackets[k][2][-1][2][0])  # min keeps the first on ties
=======
    best = min(range(len(brackets)), key=lambda k: min(min(losses) for _, _, losses in brackets[k][2]))
>>>>>>> mutant
