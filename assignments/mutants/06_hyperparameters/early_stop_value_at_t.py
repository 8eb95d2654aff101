# replaces: early_stop_impl
# breaks: early_stop
# bug: the completed trials' loss at step t instead of their running average up to t
<<<<<<< reference
    averages = [sum(c[:t]) / t for c in completed if len(c) >= t]
=======
    averages = [c[t - 1] for c in completed if len(c) >= t]
>>>>>>> mutant
