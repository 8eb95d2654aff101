# replaces: log_uniform_impl
# breaks: log_uniform
# bug: evenly spaced points on the log scale (torch.logspace): a grid, not random draws
<<<<<<< reference
    u = torch.rand(n, generator=generator, dtype=torch.float64)
    return torch.exp(math.log(low) + u * (math.log(high) - math.log(low)))
=======
    return torch.logspace(math.log10(low), math.log10(high), n, dtype=torch.float64)
>>>>>>> mutant
