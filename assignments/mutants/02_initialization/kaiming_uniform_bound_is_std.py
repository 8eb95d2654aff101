# replaces: kaiming_impl
# breaks: kaiming
# bug: the uniform bound is the std itself instead of sqrt(3)*std
<<<<<<< reference
    bound = math.sqrt(3.0) * std
=======
    bound = std
>>>>>>> mutant
