# replaces: weight_norm_impl
# why: moves dim to the front, takes torch.linalg.vector_norm of each row of the flattened matrix and reshapes the norms back to size-1 dims; the whole-tensor norm for dim=None
<<<<<<< reference
    if dim is None:
        norm = torch.sqrt((v * v).sum())
    elif v.dim() == 1:  # no dimension but dim: each entry is its own norm (sum(dim=[]) would sum them all)
        norm = v.abs()
    else:
        dims = [d for d in range(v.dim()) if d != dim]
        norm = torch.sqrt((v * v).sum(dim=dims, keepdim=True))
    return g * v / norm
=======
    if dim is None:
        return g * (v / torch.linalg.vector_norm(v))
    rows = v.movedim(dim, 0).reshape(v.shape[dim], -1)
    shape = [1] * v.dim()
    shape[dim] = v.shape[dim]
    norm = torch.linalg.vector_norm(rows, dim=1).reshape(shape)
    return g * (v / norm)
>>>>>>> mutant
