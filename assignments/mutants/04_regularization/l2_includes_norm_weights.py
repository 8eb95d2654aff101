# replaces: penalty_impl
# breaks: penalty
# bug: every parameter named 'weight' is penalized, the scales of the normalization layers included
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam / 2 * sum((w ** 2).sum() for w in weights)
=======
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    return lam / 2 * sum((w ** 2).sum() for w in weights)
>>>>>>> mutant
