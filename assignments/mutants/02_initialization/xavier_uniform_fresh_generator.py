# replaces: xavier_impl
# breaks: xavier
# bug: generator=None becomes a fresh torch.Generator() (the same default seed in every run) instead of the global generator
<<<<<<< reference
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
=======
    bound = math.sqrt(3.0) * std
    if generator is None:
        generator = torch.Generator()
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
>>>>>>> mutant
