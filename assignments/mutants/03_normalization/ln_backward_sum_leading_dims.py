# replaces: layernorm_impl
# breaks: layernorm
# bug: weight/bias gradients summed with sum(dim=leading dims): with no leading dim, sum(dim=()) sums everything
<<<<<<< reference
        grad_weight = (grad_out * x_hat).reshape(-1, *weight.shape).sum(dim=0)
        grad_bias = grad_out.reshape(-1, *weight.shape).sum(dim=0)
=======
        lead = tuple(range(grad_out.dim() - weight.dim()))  # the batch dimensions
        grad_weight = (grad_out * x_hat).sum(dim=lead)
        grad_bias = grad_out.sum(dim=lead)
>>>>>>> mutant
