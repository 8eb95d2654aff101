# replaces: step_lr_impl
# breaks: step_lr
# bug: decays one step early: gamma ** ((t + 1) // step_size)
<<<<<<< reference
    return base_lr * gamma ** (t // step_size)
=======
    return base_lr * gamma ** ((t + 1) // step_size)
>>>>>>> mutant
