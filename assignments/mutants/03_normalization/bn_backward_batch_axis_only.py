# replaces: bn_backward_impl
# breaks: bn_backward
# bug: the weight and bias gradients sum over the batch axis only, not over the spatial dims (broadcast error on 4-D)
<<<<<<< reference
        grad_bias = grad_out.sum(dim=dims)
        grad_weight = (grad_out * x_hat).sum(dim=dims)
=======
        grad_bias = grad_out.sum(dim=0)
        grad_weight = (grad_out * x_hat).sum(dim=0)
>>>>>>> mutant
