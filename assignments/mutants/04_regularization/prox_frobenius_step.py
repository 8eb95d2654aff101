# replaces: prox_impl
# breaks: prox
# bug: L is bounded by the squared Frobenius norm ||X||_F^2 / n (a safe but larger bound) instead of the largest eigenvalue of X^T X / n, so the steps are shorter than 1/L
<<<<<<< reference
    lipschitz = torch.linalg.eigvalsh(X.T @ X / n).max()
=======
    lipschitz = (X ** 2).sum() / n
>>>>>>> mutant
