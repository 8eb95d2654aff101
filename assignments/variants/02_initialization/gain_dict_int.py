# replaces: gain_impl
# why: a lookup table that returns the int 1 for the linear-like names (as torch does), numpy for the square roots
<<<<<<< reference
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity}")
=======
    table = {name: 1 for name in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                                  "conv_transpose3d", "sigmoid")}
    table.update(tanh=5.0 / 3, relu=np.sqrt(2.0), selu=0.75)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return np.sqrt(2.0 / (1.0 + slope * slope))
    if nonlinearity not in table:
        raise ValueError(f"unsupported nonlinearity {nonlinearity}")
    return table[nonlinearity]
>>>>>>> mutant
