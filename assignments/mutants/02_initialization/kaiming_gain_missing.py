# replaces: kaiming_impl
# breaks: kaiming
# bug: the gain is left out: std = 1/sqrt(fan) (the LeCun scale) whatever the nonlinearity
<<<<<<< reference
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
=======
    std = 1.0 / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
>>>>>>> mutant
<<<<<<< reference
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
=======
    std = 1.0 / math.sqrt(fan)
    with torch.no_grad():
>>>>>>> mutant
