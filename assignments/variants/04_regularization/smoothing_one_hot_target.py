# replaces: smoothing_impl
# why: the smoothed target distribution q built explicitly with F.one_hot(num_classes=K) in the dtype of the logits and the loss -(q * log p).sum(1); reductions from a dict; make_losses with functools.partial
<<<<<<< reference
    logp = F.log_softmax(logits, dim=1)
    nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1)
    uniform = -logp.mean(dim=1)
    loss = (1 - eps) * nll + eps * uniform
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
=======
    k = logits.shape[1]
    q = F.one_hot(target, num_classes=k).to(logits.dtype) * (1.0 - eps) + eps / k
    per_sample = -(q * torch.log_softmax(logits, dim=-1)).sum(dim=-1)
    reduce = {"mean": torch.mean, "sum": torch.sum, "none": lambda t: t}
    return reduce[reduction](per_sample)
>>>>>>> mutant
<<<<<<< reference
    def train_loss(logits, target):
        return label_smoothing_ce(logits, target, eps)

    def eval_loss(logits, target):
        return label_smoothing_ce(logits, target, 0.0)

    return train_loss, eval_loss
=======
    import functools

    return functools.partial(label_smoothing_ce, eps=eps), functools.partial(label_smoothing_ce, eps=0.0)
>>>>>>> mutant
