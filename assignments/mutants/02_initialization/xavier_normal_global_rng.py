# replaces: xavier_impl
# breaks: xavier
# bug: xavier_normal_ forgets to pass the generator: it draws from the global RNG
<<<<<<< reference
        tensor.normal_(0.0, std, generator=generator)
=======
        tensor.normal_(0.0, std)
>>>>>>> mutant
