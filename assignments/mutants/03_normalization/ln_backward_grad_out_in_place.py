# replaces: layernorm_impl
# breaks: layernorm
# bug: backward scales grad_out in place (grad_out *= weight), corrupting the gradient autograd shares with a skip path
<<<<<<< reference
        g = grad_out * weight
=======
        g = grad_out
        g *= weight
>>>>>>> mutant
