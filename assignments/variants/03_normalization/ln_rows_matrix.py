# replaces: layernorm_impl
# why: flattens x to a (rows, n) matrix with reshape, saves the variance instead of 1/std, and uses means instead of sums in the backward
<<<<<<< reference
        dims = tuple(range(x.dim() - len(normalized_shape), x.dim()))
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        inv_std = 1.0 / torch.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.dims = dims
        return weight * x_hat + bias
=======
        n = math.prod(normalized_shape)
        rows = x.reshape(-1, n)
        mean = rows.mean(dim=1, keepdim=True)
        var = ((rows - mean) ** 2).mean(dim=1, keepdim=True)
        x_hat = (rows - mean) / torch.sqrt(var + eps)
        ctx.save_for_backward(x_hat, var, weight)
        ctx.eps, ctx.x_shape = eps, x.shape
        return (x_hat * weight.reshape(1, n) + bias.reshape(1, n)).reshape(x.shape)
>>>>>>> mutant
<<<<<<< reference
        x_hat, inv_std, weight = ctx.saved_tensors
        dims = ctx.dims
        n = weight.numel()
        grad_weight = (grad_out * x_hat).reshape(-1, *weight.shape).sum(dim=0)
        grad_bias = grad_out.reshape(-1, *weight.shape).sum(dim=0)
        g = grad_out * weight
        grad_x = inv_std / n * (n * g - g.sum(dim=dims, keepdim=True)
                                - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
        return grad_x, None, grad_weight, grad_bias, None
=======
        x_hat, var, weight = ctx.saved_tensors
        n = x_hat.shape[1]
        go = grad_out.reshape(-1, n)
        grad_weight = (go * x_hat).sum(dim=0).reshape(weight.shape)
        grad_bias = go.sum(dim=0).reshape(weight.shape)
        g = go * weight.reshape(1, n)
        grad_x = (g - g.mean(dim=1, keepdim=True) - x_hat * (g * x_hat).mean(dim=1, keepdim=True)) \
            / torch.sqrt(var + ctx.eps)
        return grad_x.reshape(ctx.x_shape), None, grad_weight, grad_bias, None
>>>>>>> mutant
