# replaces: smoothing_impl
# breaks: smoothing
# bug: the eps/(K-1) convention: 1 - eps on the true class and eps/(K-1) on the others, not torch's eps/K
<<<<<<< reference
    uniform = -logp.mean(dim=1)
    loss = (1 - eps) * nll + eps * uniform
=======
    k = logits.shape[1]
    others = (-logp.sum(dim=1) - nll) / (k - 1)
    loss = (1 - eps) * nll + eps * others
>>>>>>> mutant
