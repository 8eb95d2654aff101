# replaces: prox_impl
# breaks: prox
# bug: soft_threshold zeroes the dead zone with v[mask] = 0, writing into the caller's tensor
<<<<<<< reference
    return torch.sign(v) * torch.clamp(v.abs() - t, min=0.0)
=======
    v[v.abs() <= t] = 0.0
    return v - t * torch.sign(v)
>>>>>>> mutant
