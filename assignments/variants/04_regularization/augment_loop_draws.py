# replaces: augment_impl
# why: random_shift draws (dy, dx) sample by sample inside the loop and copies the overlapping window into zeros without F.pad; make_batches cuts the permutation with torch.split and gathers with index_select
<<<<<<< reference
    n, _, h, w = x.shape
    s = max_shift
    padded = F.pad(x, (s, s, s, s))
    offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=generator)
    out = torch.empty_like(x)
    for i in range(n):
        dy, dx = int(offsets[i, 0]), int(offsets[i, 1])
        out[i] = padded[i, :, dy:dy + h, dx:dx + w]
    return out
=======
    n, _, h, w = x.shape
    s = max_shift
    out = torch.zeros_like(x)
    for i in range(n):
        dy, dx = (int(v) for v in torch.randint(0, 2 * s + 1, (2,), generator=generator))
        r0, c0 = dy - s, dx - s  # the window starts at row r0, column c0 of the unpadded sample
        top, bottom = max(r0, 0), min(r0 + h, h)
        left, right = max(c0, 0), min(c0 + w, w)
        if top < bottom and left < right:
            out[i, :, top - r0:bottom - r0, left - c0:right - c0] = x[i, :, top:bottom, left:right]
    return out
>>>>>>> mutant
<<<<<<< reference
    n = len(x)
    order = torch.randperm(n, generator=generator) if train else torch.arange(n)
    batches = []
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        xb, yb = x[idx], y[idx]
        if train and transform is not None:
            xb = transform(xb, generator)
        batches.append((xb, yb))
    return batches
=======
    order = torch.randperm(x.shape[0], generator=generator) if train else torch.arange(x.shape[0])
    batches = []
    for idx in torch.split(order, batch_size):
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        if train and transform is not None:
            xb = transform(xb, generator)
        batches.append((xb, yb))
    return batches
>>>>>>> mutant
