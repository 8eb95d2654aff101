# replaces: layernorm_impl
# breaks: layernorm
# bug: the statistics are computed on x.view(-1, n), which fails on a non-contiguous (permuted) input
<<<<<<< reference
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
=======
        stat_shape = tuple(x.shape[:x.dim() - len(normalized_shape)]) + (1,) * len(normalized_shape)
        flat = x.view(-1, weight.numel())  # one row per example
        mean = flat.mean(dim=1).view(stat_shape)
        var = flat.var(dim=1, unbiased=False).view(stat_shape)
>>>>>>> mutant
