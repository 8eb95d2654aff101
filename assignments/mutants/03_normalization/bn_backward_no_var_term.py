# replaces: bn_backward_impl
# breaks: bn_backward
# bug: the backward leaves out the path through the variance (the -x_hat * sum(g * x_hat) term)
<<<<<<< reference
        grad_x = inv_std / m * (m * g - g.sum(dim=dims, keepdim=True)
                                - x_hat * (g * x_hat).sum(dim=dims, keepdim=True))
=======
        grad_x = inv_std / m * (m * g - g.sum(dim=dims, keepdim=True))
>>>>>>> mutant
