# replaces: clip_value_impl
# breaks: clip_value
# bug: does not skip parameters whose grad is None (AttributeError)
<<<<<<< reference
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
=======
        p.grad.clamp_(min=-clip_value, max=clip_value)
>>>>>>> mutant
