# replaces: halving_impl
# breaks: halving
# bug: the winner is the configuration with the lowest loss seen in any rung, not the one configuration of the last rung
<<<<<<< reference
        if len(alive) == 1:
            return alive[0], rungs
=======
        if len(alive) == 1:
            best = min((loss, i) for _, positions, ls in rungs for i, loss in zip(positions, ls))
            return best[1], rungs
>>>>>>> mutant
