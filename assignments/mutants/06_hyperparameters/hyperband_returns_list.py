# replaces: hyperband_impl
# breaks: hyperband
# bug: returns [best, brackets], a list, where the contract says a tuple
<<<<<<< reference
    return best, brackets
=======
    return [best, brackets]
>>>>>>> mutant
