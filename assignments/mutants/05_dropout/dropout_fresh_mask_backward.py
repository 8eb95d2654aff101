# replaces: dropout_impl
# breaks: dropout
# bug: the backward pass draws a fresh mask instead of reusing the forward pass's mask
<<<<<<< reference
        (mask,) = ctx.saved_tensors
=======
        mask = (torch.rand(grad_output.shape) >= ctx.p).to(grad_output.dtype)
>>>>>>> mutant
