# replaces: xavier_impl
# breaks: xavier
# bug: returns a new tensor instead of filling the given one in place
<<<<<<< reference
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor
=======
    return torch.empty(tensor.shape, dtype=tensor.dtype).uniform_(-bound, bound, generator=generator)
>>>>>>> mutant
