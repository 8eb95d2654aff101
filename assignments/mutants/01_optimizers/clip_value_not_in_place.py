# replaces: clip_value_impl
# breaks: clip_value
# bug: assigns a new clamped tensor to p.grad instead of clamping the existing gradient in place
<<<<<<< reference
            p.grad.clamp_(min=-clip_value, max=clip_value)
=======
            p.grad = torch.clamp(p.grad, -clip_value, clip_value)
>>>>>>> mutant
