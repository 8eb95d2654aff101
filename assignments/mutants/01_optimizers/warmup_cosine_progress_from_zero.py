# replaces: warmup_cosine_impl
# breaks: warmup_cosine
# bug: the cosine progress is t / total_steps (counted from 0, not from the end of warm-up), so the rate never reaches base_lr
<<<<<<< reference
    progress = (t - warmup_steps) / (total_steps - warmup_steps)
=======
    progress = t / total_steps
>>>>>>> mutant
