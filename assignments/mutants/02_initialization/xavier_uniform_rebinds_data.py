# replaces: xavier_impl
# breaks: xavier
# bug: rebinds tensor.data to a fresh tensor: a view (a block of a larger weight) is never written
<<<<<<< reference
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor
=======
    tensor.data = torch.empty_like(tensor).uniform_(-bound, bound, generator=generator)
    return tensor
>>>>>>> mutant
