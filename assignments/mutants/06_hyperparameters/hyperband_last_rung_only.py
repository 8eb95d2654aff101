# replaces: hyperband_impl
# breaks: hyperband
# bug: keeps only the last rung of each bracket's halving
<<<<<<< reference
        brackets.append((configs, winner, rungs))
=======
        brackets.append((configs, winner, rungs[-1:]))
>>>>>>> mutant
