# replaces: rmsprop_impl
# breaks: rmsprop
# bug: alpha and 1 - alpha swapped: v = (1-alpha)*v + alpha*g^2
<<<<<<< reference
                sq.mul_(alpha).addcmul_(g, g, value=1 - alpha)
=======
                sq.mul_(1 - alpha).addcmul_(g, g, value=alpha)
>>>>>>> mutant
