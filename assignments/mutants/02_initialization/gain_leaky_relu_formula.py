# replaces: gain_impl
# breaks: gain
# bug: leaky_relu gain sqrt(2 / (1 + slope)) instead of sqrt(2 / (1 + slope**2))
<<<<<<< reference
        return math.sqrt(2.0 / (1 + slope ** 2))
=======
        return math.sqrt(2.0 / (1 + slope))
>>>>>>> mutant
