# replaces: smoothing_impl
# breaks: smoothing
# bug: the evaluation loss is smoothed too
<<<<<<< reference
        return label_smoothing_ce(logits, target, 0.0)
=======
        return label_smoothing_ce(logits, target, eps)
>>>>>>> mutant
