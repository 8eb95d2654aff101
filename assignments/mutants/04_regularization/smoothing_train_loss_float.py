# replaces: smoothing_impl
# breaks: smoothing
# bug: the training loss of make_losses returns a Python float, which cannot be backpropagated
<<<<<<< reference
        return label_smoothing_ce(logits, target, eps)
=======
        return float(label_smoothing_ce(logits, target, eps))
>>>>>>> mutant
