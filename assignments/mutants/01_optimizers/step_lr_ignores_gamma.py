# replaces: step_lr_impl
# breaks: step_lr
# bug: hard-codes the decay factor 0.1 instead of using gamma
<<<<<<< reference
    return base_lr * gamma ** (t // step_size)
=======
    return base_lr * 0.1 ** (t // step_size)
>>>>>>> mutant
