# replaces: weight_norm_impl
# breaks: weight_norm
# bug: only dim=0 (rows) and dim=1 (columns) are handled; any other dim is treated as dim=1
<<<<<<< reference
    else:
        dims = [d for d in range(v.dim()) if d != dim]
        norm = torch.sqrt((v * v).sum(dim=dims, keepdim=True))
=======
    elif dim == 0:  # one norm per output unit
        norm = v.flatten(1).norm(dim=1).view(-1, *[1] * (v.dim() - 1))
    else:  # one norm per input column
        norm = v.transpose(0, 1).flatten(1).norm(dim=1).view(1, -1, *[1] * (v.dim() - 2))
>>>>>>> mutant
