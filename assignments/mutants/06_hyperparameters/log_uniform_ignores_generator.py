# replaces: log_uniform_impl
# breaks: log_uniform
# bug: draws u from torch's global generator instead of the generator argument
<<<<<<< reference
    u = torch.rand(n, generator=generator, dtype=torch.float64)
=======
    u = torch.rand(n, dtype=torch.float64)
>>>>>>> mutant
