# replaces: init_model_impl
# breaks: init_model
# bug: replaces each bias by a new nn.Parameter of zeros: an optimizer built before init_model no longer trains it
<<<<<<< reference
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
=======
                if m.bias is not None:
                    m.bias = nn.Parameter(torch.zeros_like(m.bias))
>>>>>>> mutant
