# replaces: clip_value_impl
# breaks: clip_value
# bug: clamps only from above: large negative entries are kept
<<<<<<< reference
            p.grad.clamp_(min=-clip_value, max=clip_value)
=======
            p.grad.clamp_(max=clip_value)
>>>>>>> mutant
