# replaces: fan_impl
# breaks: fan
# bug: the receptive field is left out: a conv weight's fans are just in_channels and out_channels
<<<<<<< reference
    fan_in = int(tensor.shape[1]) * receptive_field
    fan_out = int(tensor.shape[0]) * receptive_field
=======
    fan_in = int(tensor.shape[1])
    fan_out = int(tensor.shape[0])
>>>>>>> mutant
