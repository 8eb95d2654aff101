# replaces: halving_impl
# breaks: halving
# bug: always keeps half and doubles the budget, whatever eta is
<<<<<<< reference
        keep = max(1, len(alive) // eta)
=======
        keep = max(1, len(alive) // 2)
>>>>>>> mutant
<<<<<<< reference
        budget = budget * eta
=======
        budget = budget * 2
>>>>>>> mutant
