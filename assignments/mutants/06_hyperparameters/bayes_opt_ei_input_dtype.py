# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: the expected improvement in the dtype of its inputs
<<<<<<< reference
    mean = torch.as_tensor(mean).to(torch.float64)
    std = torch.as_tensor(std).to(torch.float64)
=======
    mean, std = torch.as_tensor(mean), torch.as_tensor(std)
>>>>>>> mutant
