# replaces: batchnorm_impl
# breaks: batchnorm
# bug: the running statistics are plain tensor attributes, not registered buffers (not in the state_dict, not converted by .double())
<<<<<<< reference
        self.register_buffer("running_mean", torch.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", torch.ones(num_features, dtype=dtype))
=======
        self.running_mean = torch.zeros(num_features, dtype=dtype)
        self.running_var = torch.ones(num_features, dtype=dtype)
>>>>>>> mutant
