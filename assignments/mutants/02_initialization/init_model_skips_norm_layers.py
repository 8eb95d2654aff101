# replaces: init_model_impl
# breaks: init_model
# bug: normalization layers are left as they are (weight 1, bias 0 not restored)
<<<<<<< reference
            elif isinstance(m, norms):
                if getattr(m, "weight", None) is not None:
                    nn.init.ones_(m.weight)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)

=======
>>>>>>> mutant
