# replaces: hyperband_impl
# breaks: hyperband
# bug: compares the brackets by the first loss of their first rung instead of the winner's loss in the last rung
<<<<<<< reference
    best = min(range(len(brackets)), key=lambda k: brackets[k][2][-1][2][0])  # min keeps the first on ties
=======
    best = min(range(len(brackets)), key=lambda k: brackets[k][2][0][2][0])
>>>>>>> mutant
