# replaces: step_lr_impl
# why: multiplies by gamma once per completed period, as torch's recursive form does
<<<<<<< reference
    return base_lr * gamma ** (t // step_size)
=======
    lr = float(base_lr)
    for _ in range(math.floor(t / step_size)):
        lr *= gamma
    return lr
>>>>>>> mutant
