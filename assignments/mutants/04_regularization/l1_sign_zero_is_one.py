# replaces: penalty_impl
# breaks: penalty
# bug: |w| written as w * (+1 or -1): same value, but the subgradient at an exact zero is +1 instead of torch's 0
<<<<<<< reference
    return lam * sum(w.abs().sum() for w in weights)
=======
    return lam * sum((w * torch.where(w >= 0, 1.0, -1.0)).sum() for w in weights)
>>>>>>> mutant
