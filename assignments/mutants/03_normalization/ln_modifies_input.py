# replaces: layernorm_impl
# breaks: layernorm
# bug: forward centres the caller's input in place (x -= mean)
<<<<<<< reference
        x_hat = (x - mean) * inv_std
=======
        x -= mean
        x_hat = x * inv_std
>>>>>>> mutant
