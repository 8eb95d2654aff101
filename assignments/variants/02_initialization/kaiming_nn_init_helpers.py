# replaces: kaiming_impl
# why: the fan picked from a dict, the drawing done by nn.init.uniform_ / nn.init.normal_ (allowed building blocks)
<<<<<<< reference
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode} not supported, use fan_in or fan_out")
    fan_in, fan_out = torch_fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor
=======
    fans = dict(zip(("fan_in", "fan_out"), torch_fans(tensor)))
    if mode not in fans:
        raise ValueError(f"mode {mode} not supported, use fan_in or fan_out")
    bound = torch_gain(nonlinearity, a) * math.sqrt(3.0 / fans[mode])
    return nn.init.uniform_(tensor, -bound, bound, generator=generator)
>>>>>>> mutant
<<<<<<< reference
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
    return tensor
=======
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    return nn.init.normal_(tensor, 0.0, std, generator=generator)
>>>>>>> mutant
