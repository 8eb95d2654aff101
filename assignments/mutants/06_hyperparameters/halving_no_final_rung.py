# replaces: halving_impl
# breaks: halving
# bug: stops as soon as one configuration is left, without evaluating it with the next budget
<<<<<<< reference
        alive = sorted(alive[j] for j in ranked[:keep])
=======
        alive = sorted(alive[j] for j in ranked[:keep])
        if len(alive) == 1:
            return alive[0], rungs
>>>>>>> mutant
