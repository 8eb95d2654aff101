# replaces: sgdr_impl
# breaks: sgdr
# bug: the cosine goes down to 0, not to eta_min
<<<<<<< reference
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t_cur / T_i)) / 2
=======
    return base_lr * (1 + math.cos(math.pi * t_cur / T_i)) / 2
>>>>>>> mutant
