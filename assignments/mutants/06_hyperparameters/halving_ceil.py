# replaces: halving_impl
# breaks: halving
# bug: keeps ceil(m / eta) configurations instead of the floor
<<<<<<< reference
        keep = max(1, len(alive) // eta)
=======
        keep = math.ceil(len(alive) / eta)
>>>>>>> mutant
