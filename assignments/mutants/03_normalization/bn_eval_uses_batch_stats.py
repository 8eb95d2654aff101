# replaces: batchnorm_impl
# breaks: batchnorm
# bug: eval mode normalizes with the statistics of the eval batch instead of the running statistics
<<<<<<< reference
            mean, var = self.running_mean, self.running_var
=======
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
>>>>>>> mutant
