# replaces: bayes_opt_impl
# breaks: bayes_opt
# bug: signal (a standard deviation) used as the kernel's variance
<<<<<<< reference
        return signal ** 2 * torch.exp(-torch.cdist(a, b) ** 2 / (2 * lengthscale ** 2))
=======
        return signal * torch.exp(-torch.cdist(a, b) ** 2 / (2 * lengthscale ** 2))
>>>>>>> mutant
<<<<<<< reference
    var = signal ** 2 - (v ** 2).sum(0)
=======
    var = signal - (v ** 2).sum(0)
>>>>>>> mutant
