# replaces: clip_norm_impl
# breaks: clip_norm
# bug: no case for "no gradient at all": torch.stack of an empty list raises instead of returning tensor(0.)
<<<<<<< reference
    if not grads:
        return torch.tensor(0.0)
    norm_type = float(norm_type)
=======
    norm_type = float(norm_type)
>>>>>>> mutant
