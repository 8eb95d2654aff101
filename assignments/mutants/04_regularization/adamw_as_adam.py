# replaces: groups_impl
# breaks: groups
# bug: 'adamw' builds torch.optim.Adam: the weight decay is coupled (an L2 penalty), not decoupled
<<<<<<< reference
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
=======
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.Adam}
>>>>>>> mutant
