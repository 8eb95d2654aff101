# replaces: fan_impl
# breaks: fan
# bug: fan_in and fan_out swapped (weight layout read as (in, out) instead of torch's (out, in))
<<<<<<< reference
    fan_in = int(tensor.shape[1]) * receptive_field
    fan_out = int(tensor.shape[0]) * receptive_field
=======
    fan_in = int(tensor.shape[0]) * receptive_field
    fan_out = int(tensor.shape[1]) * receptive_field
>>>>>>> mutant
