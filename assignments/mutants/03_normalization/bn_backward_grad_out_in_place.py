# replaces: bn_backward_impl
# breaks: bn_backward
# bug: backward scales grad_out in place (grad_out *= weight), corrupting the gradient autograd shares with a skip path
<<<<<<< reference
        g = grad_out * weight.reshape(shape)
=======
        g = grad_out
        g *= weight.reshape(shape)
>>>>>>> mutant
