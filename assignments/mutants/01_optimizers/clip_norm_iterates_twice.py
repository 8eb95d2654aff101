# replaces: clip_norm_impl
# breaks: clip_norm
# bug: iterates over `parameters` twice: with a generator (model.parameters()) the second pass is empty and nothing is clipped
<<<<<<< reference
    for g in grads:
        g.mul_(coef)
=======
    for p in parameters:
        if p.grad is not None:
            p.grad.mul_(coef)
>>>>>>> mutant
