# replaces: clip_norm_impl
# breaks: clip_norm
# bug: clips each parameter's gradient by its own norm instead of the global norm
<<<<<<< reference
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
=======
    for g, n in zip(grads, norms):
        g.mul_(torch.clamp(max_norm / (n + 1e-6), max=1.0))
>>>>>>> mutant
