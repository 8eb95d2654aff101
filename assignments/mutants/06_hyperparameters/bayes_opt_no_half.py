# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: the kernel exp(-|x - x'|**2 / lengthscale**2), without the factor 2
<<<<<<< reference
        return signal ** 2 * torch.exp(-torch.cdist(a, b) ** 2 / (2 * lengthscale ** 2))
=======
        return signal ** 2 * torch.exp(-torch.cdist(a, b) ** 2 / lengthscale ** 2)
>>>>>>> mutant
