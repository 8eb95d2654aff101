# replaces: clip_value_impl
# why: clamps out of place, then copies the result back into the same .grad tensor
<<<<<<< reference
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
=======
    for p in [q for q in parameters if q.grad is not None]:
        p.grad.copy_(torch.clamp(p.grad, -clip_value, clip_value))
>>>>>>> mutant
