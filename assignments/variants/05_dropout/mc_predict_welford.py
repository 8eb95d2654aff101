# replaces: mc_predict_impl
# why: modes saved by name (named_modules) and set with model.apply; mean and std accumulated pass by pass (Welford) instead of stacking the samples
<<<<<<< reference
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        for m in model.modules():
            if isinstance(m, DROPOUT_TYPES):
                m.train()
        with torch.no_grad():
            samples = torch.stack([model(x) for _ in range(T)])
    finally:
        for m, mode in modes:
            m.training = mode
    return samples.mean(dim=0), samples.std(dim=0)
=======
    saved = {name: m.training for name, m in model.named_modules()}
    try:
        model.eval()
        model.apply(lambda m: m.train() if isinstance(m, DROPOUT_TYPES) else None)
        mean = m2 = None
        with torch.no_grad():
            for t in range(1, T + 1):
                y = model(x)
                if mean is None:
                    mean, m2 = torch.zeros_like(y), torch.zeros_like(y)
                delta = y - mean
                mean = mean + delta / t
                m2 = m2 + delta * (y - mean)
    finally:
        for name, m in model.named_modules():
            m.training = saved[name]
    return mean, (m2 / (T - 1)).sqrt()
>>>>>>> mutant
