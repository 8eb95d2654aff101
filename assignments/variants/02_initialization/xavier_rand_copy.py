# replaces: xavier_impl
# why: draws a separate tensor with torch.rand / torch.randn (from the generator, in the tensor's dtype) and copy_ it in
<<<<<<< reference
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor
=======
    u = torch.rand(tensor.shape, generator=generator, dtype=tensor.dtype)
    with torch.no_grad():
        tensor.copy_((2 * u - 1) * bound)
    return tensor
>>>>>>> mutant
<<<<<<< reference
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
    return tensor
=======
    z = torch.randn(tensor.shape, generator=generator, dtype=tensor.dtype)
    with torch.no_grad():
        tensor.copy_(z).mul_(std)
    return tensor
>>>>>>> mutant
