# replaces: init_model_impl
# breaks: init_model
# bug: the orthogonal branch forgets to pass the generator: it draws from the global RNG
<<<<<<< reference
                    nn.init.orthogonal_(m.weight, generator=generator)
=======
                    nn.init.orthogonal_(m.weight)
>>>>>>> mutant
