# replaces: bayes_opt_impl
# why: an explicit inverse and torch.distributions.Normal for Phi and phi
<<<<<<< reference
    mu0 = y.mean()
    chol = torch.linalg.cholesky(kernel(x, x) + noise * torch.eye(len(x), dtype=torch.float64))
    k_star = kernel(x, xq)
    alpha = torch.cholesky_solve((y - mu0)[:, None], chol)
    mean = mu0 + (k_star.T @ alpha)[:, 0]
    v = torch.linalg.solve_triangular(chol, k_star, upper=False)
    var = signal ** 2 - (v ** 2).sum(0)
    return mean, var.clamp(min=0).sqrt()
=======
    mu0 = y.mean()
    inv = torch.linalg.inv(kernel(x, x) + noise * torch.eye(len(x), dtype=torch.float64))
    k_star = kernel(x, xq)
    mean = mu0 + k_star.T @ inv @ (y - mu0)
    var = signal ** 2 - torch.einsum("im,ij,jm->m", k_star, inv, k_star)
    return mean, torch.sqrt(torch.clamp(var, min=0.0))
>>>>>>> mutant
<<<<<<< reference
    gain = best - mean
    positive = std > 0
    safe = torch.where(positive, std, torch.ones_like(std))
    z = gain / safe
    ei = gain * torch.special.ndtr(z) + safe * torch.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)
    return torch.where(positive, ei, gain.clamp(min=0))
=======
    normal = torch.distributions.Normal(torch.tensor(0.0, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64))
    out = (best - mean).clamp(min=0)
    pos = std > 0
    z = (best - mean[pos]) / std[pos]
    out[pos] = (best - mean[pos]) * normal.cdf(z) + std[pos] * normal.log_prob(z).exp()
    return out
>>>>>>> mutant
