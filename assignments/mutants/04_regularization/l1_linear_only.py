# replaces: penalty_impl
# breaks: penalty
# bug: only nn.Linear weights are penalized by L1; convolution weights are skipped
<<<<<<< reference
    weights = [m.weight for m in model.modules() if isinstance(m, WEIGHT_LAYERS)]
    return lam * sum(w.abs().sum() for w in weights)
=======
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
    return lam * sum(w.abs().sum() for w in weights)
>>>>>>> mutant
