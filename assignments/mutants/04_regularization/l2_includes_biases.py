# replaces: penalty_impl
# breaks: penalty
# bug: the L2 penalty runs over all model.parameters(), biases included
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam / 2 * sum((w ** 2).sum() for w in weights)
=======
    return lam / 2 * sum((p ** 2).sum() for p in model.parameters())
>>>>>>> mutant
