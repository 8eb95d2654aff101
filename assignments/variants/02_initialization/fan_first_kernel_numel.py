# replaces: fan_impl
# why: the receptive field as torch once computed it, the numel of tensor[0][0], and a list instead of a tuple
<<<<<<< reference
    receptive_field = 1
    for s in tensor.shape[2:]:
        receptive_field *= int(s)
    fan_in = int(tensor.shape[1]) * receptive_field
    fan_out = int(tensor.shape[0]) * receptive_field
    return fan_in, fan_out
=======
    receptive_field = tensor[0][0].numel() if tensor.dim() > 2 else 1
    return [tensor.size(1) * receptive_field, tensor.size(0) * receptive_field]
>>>>>>> mutant
