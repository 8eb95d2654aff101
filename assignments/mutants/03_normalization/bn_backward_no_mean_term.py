# replaces: bn_backward_impl
# breaks: bn_backward
# bug: the backward leaves out the path through the mean (the -sum(g) term)
<<<<<<< reference
        grad_x = inv_std / m * (m * g - g.sum(dim=dims, keepdim=True)
                                - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
=======
        grad_x = inv_std / m * (m * g - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
>>>>>>> mutant
