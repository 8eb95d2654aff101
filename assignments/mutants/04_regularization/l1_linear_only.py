# replaces: penalty_impl
# breaks: penalty
# bug: only nn.Linear weights are penalized by L1; convolution weights are skipped
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam * sum(w.abs().sum() for w in weights)
=======
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, nn.Linear)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam * sum(w.abs().sum() for w in weights)
>>>>>>> mutant
