# replaces: layernorm_impl
# breaks: layernorm
# bug: the x-gradient ignores gamma (uses grad_out instead of weight * grad_out)
<<<<<<< reference
        g = grad_out * weight

=======
        g = grad_out

>>>>>>> mutant
