# replaces: halving_impl
# breaks: halving
# bug: returns [winner, rungs], a list, where the contract says a tuple (winner, rungs)
<<<<<<< reference
        if len(alive) == 1:
            return alive[0], rungs
=======
        if len(alive) == 1:
            return [alive[0], rungs]
>>>>>>> mutant
