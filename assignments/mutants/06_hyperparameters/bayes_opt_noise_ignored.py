# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: no noise on the diagonal: the mean interpolates noisy observations
<<<<<<< reference
    chol = torch.linalg.cholesky(kernel(x, x) + noise * torch.eye(len(x), dtype=torch.float64))
=======
    chol = torch.linalg.cholesky(kernel(x, x) + 1e-12 * torch.eye(len(x), dtype=torch.float64))
>>>>>>> mutant
