# replaces: prox_impl
# breaks: prox
# bug: soft-thresholding without the clamp: v - t * sign(v) pushes small values past zero instead of to zero
<<<<<<< reference
    return torch.sign(v) * torch.clamp(v.abs() - t, min=0.0)
=======
    return v - t * torch.sign(v)
>>>>>>> mutant
