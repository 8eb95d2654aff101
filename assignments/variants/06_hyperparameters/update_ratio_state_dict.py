# replaces: update_ratio_impl
# why: the weights before the step from a cloned state_dict, norms with torch.linalg.vector_norm, float(loss.detach())
<<<<<<< reference
    weights = [(name, p) for name, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
    before = {name: p.detach().clone() for name, p in weights}
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    ratios = {name: float((p.detach() - before[name]).norm() / before[name].norm()) for name, p in weights}
    return loss.item(), ratios
=======
    state = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer.zero_grad(set_to_none=False)
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    ratios = {}
    for name, p in model.named_parameters():
        if p.requires_grad and p.ndim > 1:
            w0 = state[name]
            ratios[name] = (torch.linalg.vector_norm(p.detach() - w0) / torch.linalg.vector_norm(w0)).item()
    return float(loss.detach()), ratios
>>>>>>> mutant
