# replaces: locked_dropout_impl
# why: a boolean mask of shape (N, D) drawn in x's dtype, broadcast over time by x * mask, then divided by 1 - p
<<<<<<< reference
    mask = (torch.rand((1,) + tuple(x.shape[1:]), generator=generator) >= p).to(device=x.device, dtype=x.dtype)
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return x * mask * scale
=======
    if p == 1.0:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape[1:], generator=generator, dtype=x.dtype) >= p
    return x * keep.to(x.device) / (1.0 - p)
>>>>>>> mutant
