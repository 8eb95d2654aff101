# replaces: prox_impl
# why: soft_threshold with torch.where; proximal_gradient with L from the spectral norm (matrix_norm ord=2, squared, / n) as a Python float, a precomputed Gram matrix X^T X / n and X^T y / n, and F.softshrink as the prox
<<<<<<< reference
    return torch.sign(v) * torch.clamp(v.abs() - t, min=0.0)
=======
    return torch.where(v.abs() > t, v - t * torch.sign(v), torch.zeros_like(v))
>>>>>>> mutant
<<<<<<< reference
    n = X.shape[0]
    lipschitz = torch.linalg.eigvalsh(X.T @ X / n).max()
    lr = 1.0 / lipschitz
    w = torch.zeros(X.shape[1], dtype=X.dtype)
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / n
        w = soft_threshold(w - lr * grad, lr * l1) / (1 + lr * l2)
    return w
=======
    n, d = X.shape
    gram, xty = X.T @ X / n, X.T @ y / n
    lr = 1.0 / float(torch.linalg.matrix_norm(X, ord=2) ** 2 / n)
    w = X.new_zeros(d)
    for _ in range(steps):
        w = F.softshrink(w - lr * (gram @ w - xty), lr * l1) / (1.0 + lr * l2)
    return w
>>>>>>> mutant
