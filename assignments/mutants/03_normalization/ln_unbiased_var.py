# replaces: layernorm_impl
# breaks: layernorm
# bug: unbiased variance in the normalization (torch uses the biased one)
<<<<<<< reference
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        inv_std = 1.0 / torch.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.dims = dims
=======
        var = x.var(dim=dims, unbiased=True, keepdim=True)
        inv_std = 1.0 / torch.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.dims = dims
>>>>>>> mutant
