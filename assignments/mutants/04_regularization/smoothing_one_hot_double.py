# replaces: smoothing_impl
# breaks: smoothing
# bug: the smoothed target distribution is built in float64 (.double()), so float32 logits give a float64 loss
<<<<<<< reference
    nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1)
    uniform = -logp.mean(dim=1)
    loss = (1 - eps) * nll + eps * uniform
=======
    k = logits.shape[1]
    q = F.one_hot(target, k).double() * (1 - eps) + eps / k
    loss = -(q * logp).sum(dim=1)
>>>>>>> mutant
