# replaces: log_uniform_impl
# breaks: log_uniform
# bug: u drawn in torch's default float32: the samples are float32, not float64
<<<<<<< reference
    u = torch.rand(n, generator=generator, dtype=torch.float64)
=======
    u = torch.rand(n, generator=generator)
>>>>>>> mutant
