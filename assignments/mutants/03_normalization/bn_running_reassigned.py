# replaces: batchnorm_impl
# breaks: batchnorm
# bug: the running statistics are replaced by new tensors (self.running_mean = ...) instead of updated in place
<<<<<<< reference
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
=======
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * m / (m - 1)
>>>>>>> mutant
