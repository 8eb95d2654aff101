# replaces: gain_impl
# breaks: gain
# bug: leaky_relu without param uses slope 0 (the ReLU gain) instead of torch's default 0.01
<<<<<<< reference
        slope = 0.01 if param is None else float(param)
=======
        slope = 0.0 if param is None else float(param)
>>>>>>> mutant
