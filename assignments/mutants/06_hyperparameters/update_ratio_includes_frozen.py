# replaces: update_ratio_impl
# breaks: update_ratio
# bug: also watches frozen weights (requires_grad False), which the optimizer never changes
<<<<<<< reference
    weights = [(name, p) for name, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
=======
    weights = [(name, p) for name, p in model.named_parameters() if p.dim() >= 2]
>>>>>>> mutant
