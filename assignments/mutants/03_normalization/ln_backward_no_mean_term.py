# replaces: layernorm_impl
# breaks: layernorm
# bug: the backward leaves out the path through the mean
<<<<<<< reference
        grad_x = inv_std / n * (n * g - g.sum(dim=dims, keepdim=True)
                                - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
=======
        grad_x = inv_std / n * (n * g - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
>>>>>>> mutant
