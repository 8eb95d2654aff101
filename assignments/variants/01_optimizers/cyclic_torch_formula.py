# replaces: cyclic_impl
# why: torch's cycle/x formula instead of t mod L
<<<<<<< reference
    down = step_size_up if step_size_down is None else step_size_down
    total = step_size_up + down
    ratio = step_size_up / total
    x = (t % total) / total
    scale = x / ratio if x <= ratio else (1 - x) / (1 - ratio)
    return base_lr + (max_lr - base_lr) * scale
=======
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total_size = up + down
    step_ratio = up / total_size
    cycle = math.floor(1 + t / total_size)
    x = 1.0 + t / total_size - cycle
    scale = x / step_ratio if x <= step_ratio else (x - 1) / (step_ratio - 1)
    return base_lr + (max_lr - base_lr) * scale
>>>>>>> mutant
