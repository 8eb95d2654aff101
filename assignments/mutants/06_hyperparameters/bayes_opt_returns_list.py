# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: returns [mean, std], a list, where the contract says a tuple
<<<<<<< reference
    return mean, var.clamp(min=0).sqrt()
=======
    return [mean, var.clamp(min=0).sqrt()]
>>>>>>> mutant
