# replaces: halving_impl
# breaks: halving
# bug: the survivors are listed in the order of their losses, not of their positions
<<<<<<< reference
        alive = sorted(alive[j] for j in ranked[:keep])
=======
        alive = [alive[j] for j in ranked[:keep]]
>>>>>>> mutant
