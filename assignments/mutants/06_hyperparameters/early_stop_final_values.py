# replaces: early_stop_impl
# breaks: early_stop
# bug: the completed trials' average over their whole curves, not their running average up to step t
<<<<<<< reference
    averages = [sum(c[:t]) / t for c in completed if len(c) >= t]
=======
    averages = [sum(c) / len(c) for c in completed if len(c) >= t]
>>>>>>> mutant
