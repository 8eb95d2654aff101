# replaces: init_model_impl
# breaks: init_model
# bug: sets each bias with bias.data = torch.zeros(shape): a float64 model gets float32 biases and cannot run
<<<<<<< reference
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
=======
                if m.bias is not None:
                    m.bias.data = torch.zeros(m.bias.shape)
>>>>>>> mutant
