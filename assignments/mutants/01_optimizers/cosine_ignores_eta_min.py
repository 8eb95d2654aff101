# replaces: cosine_impl
# breaks: cosine
# bug: amplitude base_lr instead of base_lr - eta_min, so the schedule ends at eta_min + 0 only when eta_min is 0
<<<<<<< reference
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
=======
    return eta_min + base_lr * (1 + math.cos(math.pi * t / T_max)) / 2
>>>>>>> mutant
