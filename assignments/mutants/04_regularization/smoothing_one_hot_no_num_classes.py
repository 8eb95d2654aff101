# replaces: smoothing_impl
# breaks: smoothing
# bug: F.one_hot(target) without num_classes takes K = max(target) + 1, wrong when the last classes are absent from the batch
<<<<<<< reference
    nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1)
    uniform = -logp.mean(dim=1)
    loss = (1 - eps) * nll + eps * uniform
=======
    one_hot = F.one_hot(target).to(logp.dtype)
    k = one_hot.shape[1]
    q = one_hot * (1 - eps) + eps / k
    loss = -(q * logp[:, :k]).sum(dim=1)
>>>>>>> mutant
