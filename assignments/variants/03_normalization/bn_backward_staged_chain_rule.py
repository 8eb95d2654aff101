# replaces: bn_backward_impl
# why: saves the centred input and the std instead of x_hat, and backpropagates stage by stage (through the variance, then the mean) as in the computational-graph derivation
<<<<<<< reference
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        inv_std = 1.0 / torch.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.dims, ctx.shape = dims, shape
        return weight.reshape(shape) * x_hat + bias.reshape(shape)
=======
        dims = tuple([0] + list(range(2, x.dim())))
        shape = (1, -1) + (1,) * (x.dim() - 2)
        xc = x - x.mean(dim=dims, keepdim=True)
        var = (xc * xc).mean(dim=dims, keepdim=True)
        std = torch.sqrt(var + eps)
        ctx.save_for_backward(xc, std, weight)
        ctx.dims, ctx.shape = dims, shape
        return weight.view(shape) * (xc / std) + bias.view(shape)
>>>>>>> mutant
<<<<<<< reference
        x_hat, inv_std, weight = ctx.saved_tensors
        dims, shape = ctx.dims, ctx.shape
        m = grad_out.numel() // grad_out.shape[1]
        grad_bias = grad_out.sum(dim=dims)
        grad_weight = (grad_out * x_hat).sum(dim=dims)
        g = grad_out * weight.reshape(shape)
        grad_x = inv_std / m * (m * g - g.sum(dim=dims, keepdim=True)
                                - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
        return grad_x, grad_weight, grad_bias, None
=======
        xc, std, weight = ctx.saved_tensors
        dims, shape = ctx.dims, ctx.shape
        m = xc.numel() / xc.shape[1]
        grad_bias = grad_weight = grad_x = None
        if ctx.needs_input_grad[2]:
            grad_bias = grad_out.sum(dim=dims)
        if ctx.needs_input_grad[1]:
            grad_weight = (grad_out * xc / std).sum(dim=dims)
        if ctx.needs_input_grad[0]:
            d_xhat = grad_out * weight.view(shape)
            d_var = (d_xhat * xc).sum(dim=dims, keepdim=True) * (-0.5) * std ** -3
            d_mean = -(d_xhat / std).sum(dim=dims, keepdim=True) - d_var * 2.0 * xc.mean(dim=dims, keepdim=True)
            grad_x = d_xhat / std + d_var * 2.0 * xc / m + d_mean / m
        return grad_x, grad_weight, grad_bias, None
>>>>>>> mutant
