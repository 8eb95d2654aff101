# replaces: kaiming_impl
# breaks: kaiming
# bug: kaiming_uniform_ draws with torch.rand without the generator (global RNG) and copies the result in
<<<<<<< reference
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
=======
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.copy_(torch.rand(tensor.shape) * 2 * bound - bound)
>>>>>>> mutant
