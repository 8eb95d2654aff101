# replaces: suggest_lr_impl
# why: vectorized in float64 torch: the moving average as a weighted sum, slopes with torch.diff, argmin (first index)
<<<<<<< reference
    lrs = [float(v) for v in lrs]
    smooth, avg = [], 0.0
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * float(loss)
        smooth.append(avg / (1 - beta ** (i + 1)))
    slopes = [(smooth[j + 1] - smooth[j]) / (math.log(lrs[j + 1]) - math.log(lrs[j])) for j in range(len(lrs) - 1)]
    steep = min(range(len(slopes)), key=lambda j: slopes[j])
    lowest = min(range(len(smooth)), key=lambda k: smooth[k])
    return lrs[steep], lrs[lowest] / 10
=======
    lr = torch.as_tensor(lrs, dtype=torch.float64)
    loss = torch.as_tensor(losses, dtype=torch.float64)
    n = len(loss)
    i = torch.arange(n, dtype=torch.float64)
    # a_i = (1 - beta) sum_{t <= i} beta**(i - t) loss_t, as a lower-triangular matrix product
    powers = torch.tril(beta ** (i[:, None] - i[None, :]).clamp(min=0))
    avg = (1 - beta) * powers @ loss
    smooth = avg / (1 - beta ** (i + 1))
    slopes = torch.diff(smooth) / torch.diff(lr.log())
    return lr[int(slopes.argmin())].item(), lr[int(smooth.argmin())].item() / 10
>>>>>>> mutant
