# replaces: kaiming_impl
# breaks: kaiming
# bug: kaiming_normal_ hand-codes the gains of relu, leaky_relu and tanh and uses 1 for every other nonlinearity (selu)
<<<<<<< reference
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
=======
    gain = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a ** 2)), "tanh": 5.0 / 3}.get(nonlinearity, 1.0)
    std = gain / math.sqrt(fan)
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
>>>>>>> mutant
