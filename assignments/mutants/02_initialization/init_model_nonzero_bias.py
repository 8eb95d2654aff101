# replaces: init_model_impl
# breaks: init_model
# bug: biases keep torch's default uniform initialization instead of 0
<<<<<<< reference
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

=======
>>>>>>> mutant
