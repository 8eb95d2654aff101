# replaces: xavier_impl
# breaks: xavier
# bug: computes the fans by hand with a receptive field for 4-D (Conv2d) weights only: Conv1d/Conv3d fans are wrong
<<<<<<< reference
    fan_in, fan_out = torch_fans(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
=======
    receptive_field = tensor.shape[2] * tensor.shape[3] if tensor.dim() == 4 else 1
    fan_in, fan_out = tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
>>>>>>> mutant
