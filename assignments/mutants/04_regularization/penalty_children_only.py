# replaces: penalty_impl
# breaks: penalty
# bug: the layers are looked up in model.children() (the first level only), so Linear/Conv layers nested in a Sequential or ModuleList inside a custom module are missed
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam / 2 * sum((w ** 2).sum() for w in weights)
=======
    weights = [m.weight for m in model.children() if isinstance(m, WEIGHT_LAYERS)]
    return lam / 2 * sum((w ** 2).sum() for w in weights)
>>>>>>> mutant
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam * sum(w.abs().sum() for w in weights)
=======
    weights = [m.weight for m in model.children() if isinstance(m, WEIGHT_LAYERS)]
    return lam * sum(w.abs().sum() for w in weights)
>>>>>>> mutant
