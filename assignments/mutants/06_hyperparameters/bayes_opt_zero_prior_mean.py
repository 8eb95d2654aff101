# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: prior mean 0 instead of the mean of y_train
<<<<<<< reference
    mu0 = y.mean()
=======
    mu0 = torch.zeros((), dtype=torch.float64)
>>>>>>> mutant
