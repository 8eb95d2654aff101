# replaces: batchnorm_impl
# breaks: batchnorm
# bug: momentum on the old value (Keras convention): running = momentum * running + (1 - momentum) * batch
<<<<<<< reference
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
=======
                self.running_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
                self.running_var.mul_(self.momentum).add_((1 - self.momentum) * var * m / (m - 1))
>>>>>>> mutant
