# replaces: xavier_impl
# breaks: xavier
# bug: the uniform bound is the std itself instead of sqrt(3)*std, so the std is sqrt(3) times too small
<<<<<<< reference
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
=======
    bound = std
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
>>>>>>> mutant
