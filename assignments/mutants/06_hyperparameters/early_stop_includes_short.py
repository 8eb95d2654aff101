# replaces: early_stop_impl
# breaks: early_stop
# bug: completed curves shorter than t take part with the average of what they have
<<<<<<< reference
    averages = [sum(c[:t]) / t for c in completed if len(c) >= t]
=======
    averages = [sum(c[:t]) / len(c[:t]) for c in completed if c]
>>>>>>> mutant
