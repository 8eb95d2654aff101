# replaces: clip_norm_impl
# breaks: clip_norm
# bug: computes the norms in float64 "for precision", so float32 gradients get a float64 total norm back
<<<<<<< reference
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
=======
    norms = torch.stack([torch.linalg.vector_norm(g.double(), norm_type) for g in grads])
>>>>>>> mutant
