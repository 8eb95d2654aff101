# replaces: kaiming_impl
# breaks: kaiming
# bug: mode is ignored: always fan_in (wrong for mode='fan_out')
<<<<<<< reference
    fan = fan_in if mode == "fan_in" else fan_out
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    bound
=======
    fan = fan_in
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    bound
>>>>>>> mutant
<<<<<<< reference
    fan = fan_in if mode == "fan_in" else fan_out
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with
=======
    fan = fan_in
    std = torch_gain(nonlinearity, a) / math.sqrt(fan)
    with
>>>>>>> mutant
