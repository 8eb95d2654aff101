# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: computes the posterior in the dtype of the inputs (float32 in, float32 out)
<<<<<<< reference
    x = torch.as_tensor(x_train).to(torch.float64)
    y = torch.as_tensor(y_train).to(torch.float64)
    xq = torch.as_tensor(x_query).to(torch.float64)
=======
    x, y, xq = torch.as_tensor(x_train), torch.as_tensor(y_train), torch.as_tensor(x_query)
>>>>>>> mutant
<<<<<<< reference
    chol = torch.linalg.cholesky(kernel(x, x) + noise * torch.eye(len(x), dtype=torch.float64))
=======
    chol = torch.linalg.cholesky(kernel(x, x) + noise * torch.eye(len(x), dtype=x.dtype))
>>>>>>> mutant
