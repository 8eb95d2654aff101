# replaces: warmup_cosine_impl
# breaks: warmup_cosine
# bug: warm-up branch written as t <= warmup_steps: right at t = W but divides by zero when warmup_steps = 0
<<<<<<< reference
    if t < warmup_steps:
=======
    if t <= warmup_steps:
>>>>>>> mutant
