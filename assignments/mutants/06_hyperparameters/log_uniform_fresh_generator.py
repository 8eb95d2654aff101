# replaces: log_uniform_impl
# breaks: log_uniform
# bug: generator=None makes a fresh torch.Generator() (always the same default seed) instead of using torch's global generator
<<<<<<< reference
    u = torch.rand(n, generator=generator, dtype=torch.float64)
=======
    if generator is None:
        generator = torch.Generator()
    u = torch.rand(n, generator=generator, dtype=torch.float64)
>>>>>>> mutant
