# replaces: batchnorm_impl
# breaks: batchnorm
# bug: the running statistics are updated in eval mode too (then used for the output)
<<<<<<< reference
        if self.training:
            m = x.numel() // x.shape[1]
            if m <= 1:
                raise ValueError("Expected more than 1 value per channel when training, "
                                 f"got input size {tuple(x.shape)}")
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
=======
        m = x.numel() // x.shape[1]
        if m <= 1 and self.training:
            raise ValueError("Expected more than 1 value per channel when training, "
                             f"got input size {tuple(x.shape)}")
        mean = x.mean(dim=dims)
        var = x.var(dim=dims, unbiased=False)
        if m > 1:
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
        if not self.training:
            mean, var = self.running_mean, self.running_var
>>>>>>> mutant
