# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: the std of a new noisy observation (noise added to the prior variance) instead of the std of f
<<<<<<< reference
    var = signal ** 2 - (v ** 2).sum(0)
=======
    var = signal ** 2 + noise - (v ** 2).sum(0)
>>>>>>> mutant
