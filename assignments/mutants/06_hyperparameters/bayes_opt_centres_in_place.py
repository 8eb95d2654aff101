# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: centres y in place: a float64 y_train of the caller is changed (.to(torch.float64) returns the same tensor)
<<<<<<< reference
    alpha = torch.cholesky_solve((y - mu0)[:, None], chol)
=======
    y -= mu0
    alpha = torch.cholesky_solve(y[:, None], chol)
>>>>>>> mutant
