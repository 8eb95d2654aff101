# replaces: groups_impl
# why: groups by a filter over model.parameters() with identity tests against the weights of named_modules(); train_steps with an if/elif optimizer choice, the penalty as torch.stack(...).sum(), zero_grad(set_to_none=False) and float(loss.detach())
<<<<<<< reference
    weight_ids = {id(m.weight) for m in model.modules() if isinstance(m, WEIGHT_LAYERS)}
    decay, no_decay = [], []
    for p in model.parameters():
        (decay if id(p) in weight_ids else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
=======
    layer_weights = [m.weight for _, m in model.named_modules() if isinstance(m, WEIGHT_LAYERS)]
    params = list(model.parameters())
    decay = [p for p in params if any(p is w for w in layer_weights)]
    rest = [p for p in params if not any(p is w for w in layer_weights)]
    return [dict(params=decay, weight_decay=weight_decay), dict(params=rest, weight_decay=0.0)]
>>>>>>> mutant
<<<<<<< reference
    if coupling == "penalty":
        groups = decay_param_groups(model, 0.0)
    elif coupling == "optimizer":
        groups = decay_param_groups(model, lam)
    else:
        raise ValueError(f"unknown coupling {coupling!r}")
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
    opt = optimizers[opt_name](groups, **opt_kwargs)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        data_loss = F.mse_loss(model(x), y)
        loss = data_loss
        if coupling == "penalty":
            loss = loss + lam / 2 * sum((p ** 2).sum() for p in groups[0]["params"])
        loss.backward()
        opt.step()
        losses.append(data_loss.item())
    return losses
=======
    if coupling not in ("penalty", "optimizer"):
        raise ValueError(coupling)
    in_loss = coupling == "penalty"
    groups = decay_param_groups(model, 0.0 if in_loss else lam)
    if opt_name == "sgd":
        opt = torch.optim.SGD(groups, **opt_kwargs)
    elif opt_name == "adam":
        opt = torch.optim.Adam(groups, **opt_kwargs)
    elif opt_name == "adamw":
        opt = torch.optim.AdamW(groups, **opt_kwargs)
    else:
        raise ValueError(opt_name)
    history = []
    for _ in range(steps):
        opt.zero_grad(set_to_none=False)
        mse = F.mse_loss(model(x), y)
        history.append(float(mse.detach()))
        total = mse
        if in_loss:
            total = mse + 0.5 * lam * torch.stack([w.pow(2).sum() for w in groups[0]["params"]]).sum()
        total.backward()
        opt.step()
    return history
>>>>>>> mutant
