# replaces: dropout_impl
# why: mask from torch.bernoulli(probabilities, generator=...) in x's dtype, out-of-place x.mul(mask).div(1 - p) with an explicit p = 1 branch, backward by division, eval returns a copy of x
<<<<<<< reference
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        ctx.save_for_backward(mask)
        ctx.scale = scale
        ctx.p = p
        return x * mask * scale
=======
        ctx.save_for_backward(mask)
        ctx.p = p
        if p == 1:
            return torch.zeros_like(x)
        return x.mul(mask).div(1.0 - p)
>>>>>>> mutant
<<<<<<< reference
        (mask,) = ctx.saved_tensors
        return grad_output * mask * ctx.scale, None, None
=======
        (mask,) = ctx.saved_tensors
        if ctx.p == 1:
            return torch.zeros_like(grad_output), None, None
        return grad_output.mul(mask).div(1.0 - ctx.p), None, None
>>>>>>> mutant
<<<<<<< reference
    if not training or p == 0.0:
        return x
    keep = torch.rand(x.shape, generator=generator) >= p
    mask = keep.to(device=x.device, dtype=x.dtype)
    return DropoutFunction.apply(x, mask, p)
=======
    if not training or p == 0.0:
        return x.clone()
    probs = torch.full(x.shape, 1.0 - p, dtype=x.dtype)
    mask = torch.bernoulli(probs, generator=generator).to(x.device)
    return DropoutFunction.apply(x, mask, p)
>>>>>>> mutant
