# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: the variance std**2 in place of the standard deviation in the expected improvement
<<<<<<< reference
    safe = torch.where(positive, std, torch.ones_like(std))
=======
    safe = torch.where(positive, std ** 2, torch.ones_like(std))
>>>>>>> mutant
