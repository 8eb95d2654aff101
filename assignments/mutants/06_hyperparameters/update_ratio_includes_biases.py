# replaces: update_ratio_impl
# breaks: update_ratio
# bug: watches every parameter, biases included
<<<<<<< reference
    weights = [(name, p) for name, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
=======
    weights = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
>>>>>>> mutant
