# replaces: prox_impl
# breaks: prox
# bug: the loss is 1/2 ||y - Xw||^2 (no 1/n), so alpha means something else than in scikit-learn
<<<<<<< reference
    lipschitz = torch.linalg.eigvalsh(X.T @ X / n).max()
=======
    lipschitz = torch.linalg.eigvalsh(X.T @ X).max()
>>>>>>> mutant
<<<<<<< reference
        grad = X.T @ (X @ w - y) / n
=======
        grad = X.T @ (X @ w - y)
>>>>>>> mutant
