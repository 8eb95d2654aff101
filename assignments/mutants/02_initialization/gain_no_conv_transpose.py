# replaces: gain_impl
# breaks: gain
# bug: the linear-like names stop at conv3d: conv_transpose1d/2d/3d of the table raise ValueError
<<<<<<< reference
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
=======
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d"]
>>>>>>> mutant
