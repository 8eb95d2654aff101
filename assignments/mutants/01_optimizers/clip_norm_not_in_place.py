# replaces: clip_norm_impl
# breaks: clip_norm
# bug: assigns new tensors to p.grad (p.grad = p.grad * coef) instead of scaling the existing gradients in place
<<<<<<< reference
    grads = [p.grad for p in parameters if p.grad is not None]
=======
    with_grad = [p for p in parameters if p.grad is not None]
    grads = [p.grad for p in with_grad]
>>>>>>> mutant
<<<<<<< reference
    for g in grads:
        g.mul_(coef)
=======
    for p in with_grad:
        p.grad = p.grad * coef
>>>>>>> mutant
