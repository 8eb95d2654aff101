# replaces: batchnorm_impl
# breaks: batchnorm
# bug: the affine step reads weight.data and bias.data, so no gradient ever reaches weight and bias
<<<<<<< reference
        return self.weight.reshape(shape) * x_hat + self.bias.reshape(shape)
=======
        return self.weight.data.reshape(shape) * x_hat + self.bias.data.reshape(shape)
>>>>>>> mutant
