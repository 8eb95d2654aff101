# replaces: cosine_impl
# breaks: cosine
# bug: cosine one step ahead: cos(pi * (t + 1) / T_max), never starts at base_lr
<<<<<<< reference
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
=======
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t + 1) / T_max)) / 2
>>>>>>> mutant
