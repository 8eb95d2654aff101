# replaces: warmup_cosine_impl
# breaks: warmup_cosine
# bug: no floor after total_steps: the cosine rises again instead of staying at eta_min
<<<<<<< reference
        return base_lr * t / warmup_steps
    if t > total_steps:
        return eta_min
=======
        return base_lr * t / warmup_steps
>>>>>>> mutant
