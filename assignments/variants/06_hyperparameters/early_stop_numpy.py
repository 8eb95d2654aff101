# replaces: early_stop_impl
# why: numpy's median (the mean of the two middle values) of float64 running averages
<<<<<<< reference
    t = len(curve)
    averages = [sum(c[:t]) / t for c in completed if len(c) >= t]
    if t < min_steps or not averages:
        return False
    return bool(min(curve) > statistics.median(averages))
=======
    import numpy as np

    t = len(curve)
    rows = [np.asarray(c[:t], dtype=np.float64) for c in completed if len(c) >= t]
    if t < min_steps or len(rows) == 0:
        return False
    return bool(np.min(curve) > np.median([r.mean() for r in rows]))
>>>>>>> mutant
