# replaces: penalty_impl
# why: weights collected by a loop over modules() with an identity de-duplication, concatenated into one flat vector; L2 as 0.5 * lam * dot(flat, flat), L1 with torch.linalg.vector_norm(ord=1)
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam / 2 * sum((w ** 2).sum() for w in weights)
=======
    weights = []
    for m in model.modules():
        if isinstance(m, WEIGHT_LAYERS) and all(m.weight is not w for w in weights):
            weights.append(m.weight)
    flat = torch.cat([w.reshape(-1) for w in weights])
    return 0.5 * lam * torch.dot(flat, flat)
>>>>>>> mutant
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    weights = [p for p in model.parameters() if id(p) in weight_ids]  # each weight once, even when tied
    return lam * sum(w.abs().sum() for w in weights)
=======
    weights = []
    for m in model.modules():
        if isinstance(m, WEIGHT_LAYERS) and all(m.weight is not w for w in weights):
            weights.append(m.weight)
    return lam * torch.linalg.vector_norm(torch.cat([w.flatten() for w in weights]), ord=1)
>>>>>>> mutant
