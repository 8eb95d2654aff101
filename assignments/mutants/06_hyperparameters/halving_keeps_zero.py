# replaces: halving_impl
# breaks: halving
# bug: keeps m // eta without the minimum of 1: fewer than eta configurations leave no survivor
<<<<<<< reference
        if len(alive) == 1:
            return alive[0], rungs
        keep = max(1, len(alive) // eta)
=======
        if len(alive) <= 1:
            return alive[0], rungs
        keep = len(alive) // eta
>>>>>>> mutant
