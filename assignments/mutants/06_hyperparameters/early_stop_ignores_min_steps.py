# replaces: early_stop_impl
# breaks: early_stop
# bug: ignores min_steps
<<<<<<< reference
    if t < min_steps or not averages:
=======
    if not averages:
>>>>>>> mutant
