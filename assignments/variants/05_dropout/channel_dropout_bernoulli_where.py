# replaces: channel_dropout_impl
# why: mask drawn with x.new_empty((N, C, 1, ...)).bernoulli_(1 - p, generator=...), applied with torch.where on x / (1 - p), p = 1 as x * 0
<<<<<<< reference
    shape = tuple(x.shape[:2]) + (1,) * (x.dim() - 2)
    mask = (torch.rand(shape, generator=generator) >= p).to(device=x.device, dtype=x.dtype)
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return x * mask * scale
=======
    if p == 1.0:
        return x * 0.0
    n, c = x.shape[0], x.shape[1]
    mask = x.new_empty((n, c) + (1,) * (x.dim() - 2)).bernoulli_(1.0 - p, generator=generator)
    return torch.where(mask.bool(), x / (1.0 - p), torch.zeros_like(x))
>>>>>>> mutant
