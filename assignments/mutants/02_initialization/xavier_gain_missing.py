# replaces: xavier_impl
# breaks: xavier
# bug: the gain is ignored (always 1)
<<<<<<< reference
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
=======
    std = math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
>>>>>>> mutant
<<<<<<< reference
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        tensor.normal_
=======
    std = math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        tensor.normal_
>>>>>>> mutant
