# replaces: penalty_impl
# breaks: penalty
# bug: "weights" chosen by shape (every parameter with 2 or more dimensions, the nanoGPT rule): an Embedding table and a 2-D Parameter that are no Linear/Conv weights are penalized too
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam / 2 * sum((w ** 2).sum() for w in weights)
=======
    weights = [p for p in model.parameters() if p.dim() >= 2]
    return lam / 2 * sum((w ** 2).sum() for w in weights)
>>>>>>> mutant
