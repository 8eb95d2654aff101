# replaces: orthogonal_impl
# why: draws the tall (max, min) Gaussian matrix directly instead of transposing, fixes the signs with diag(R), and copy_ the reshaped result
<<<<<<< reference
    a = torch.empty(rows, cols, dtype=tensor.dtype).normal_(0.0, 1.0, generator=generator)
    if rows < cols:
        a = a.t()
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r)).unsqueeze(0)
    if rows < cols:
        q = q.t()
    with torch.no_grad():
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
=======
    wide = rows < cols
    a = torch.randn(max(rows, cols), min(rows, cols), generator=generator, dtype=tensor.dtype)
    q, r = torch.linalg.qr(a, mode="reduced")
    q = q @ torch.diag(torch.sign(torch.diag(r)))
    if wide:
        q = q.T
    with torch.no_grad():
        tensor.copy_(gain * q.reshape(tensor.shape))
>>>>>>> mutant
