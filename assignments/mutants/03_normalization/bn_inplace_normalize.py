# replaces: batchnorm_impl
# breaks: batchnorm
# bug: in train mode the centred input, saved by autograd for the variance, is divided in place: backward fails
<<<<<<< reference
            var = x.var(dim=dims, unbiased=False)
=======
            xc = x - mean.reshape(shape)
            var = (xc * xc).mean(dim=dims)
>>>>>>> mutant
<<<<<<< reference
        x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
=======
        if self.training:  # reuse the centred input
            x_hat = xc
            x_hat /= torch.sqrt(var.reshape(shape) + self.eps)
        else:
            x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
>>>>>>> mutant
