# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: noise read as a standard deviation: noise**2 on the diagonal
<<<<<<< reference
    chol = torch.linalg.cholesky(kernel(x, x) + noise * torch.eye(len(x), dtype=torch.float64))
=======
    chol = torch.linalg.cholesky(kernel(x, x) + noise ** 2 * torch.eye(len(x), dtype=torch.float64))
>>>>>>> mutant
