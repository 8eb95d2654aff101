# replaces: init_model_impl
# breaks: init_model
# bug: sets the weight and bias of every normalization layer without checking that it has them (affine=False)
<<<<<<< reference
                if getattr(m, "weight", None) is not None:
                    nn.init.ones_(m.weight)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
=======
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
>>>>>>> mutant
