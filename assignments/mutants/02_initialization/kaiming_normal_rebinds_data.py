# replaces: kaiming_impl
# breaks: kaiming
# bug: kaiming_normal_ rebinds tensor.data to a new tensor: a view of a larger weight keeps its old values
<<<<<<< reference
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
    return tensor
=======
    tensor.data = torch.randn(tensor.shape, generator=generator, dtype=tensor.dtype) * std
    return tensor
>>>>>>> mutant
