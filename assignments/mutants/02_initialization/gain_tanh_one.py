# replaces: gain_impl
# breaks: gain
# bug: tanh treated like a linear unit (gain 1 instead of 5/3)
<<<<<<< reference
        return 5.0 / 3
=======
        return 1.0
>>>>>>> mutant
