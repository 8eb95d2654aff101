# replaces: kaiming_impl
# breaks: kaiming
# bug: the negative slope a is not passed to the gain (leaky_relu always gets the default slope)
<<<<<<< reference
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
=======
    std = torch_gain(nonlinearity) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
>>>>>>> mutant
<<<<<<< reference
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
=======
    std = torch_gain(nonlinearity) / math.sqrt(fan)
    with torch.no_grad():
>>>>>>> mutant
