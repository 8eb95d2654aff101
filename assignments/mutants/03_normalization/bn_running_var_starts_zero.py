# replaces: batchnorm_impl
# breaks: batchnorm
# bug: running_var starts at 0 instead of 1
<<<<<<< reference
        self.register_buffer("running_var", torch.ones(num_features, dtype=dtype))
=======
        self.register_buffer("running_var", torch.zeros(num_features, dtype=dtype))
>>>>>>> mutant
