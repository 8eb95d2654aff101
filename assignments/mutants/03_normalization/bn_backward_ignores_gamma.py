# replaces: bn_backward_impl
# breaks: bn_backward
# bug: the x-gradient ignores gamma (uses grad_out instead of weight * grad_out)
<<<<<<< reference
        g = grad_out * weight.reshape(shape)
=======
        g = grad_out
>>>>>>> mutant
