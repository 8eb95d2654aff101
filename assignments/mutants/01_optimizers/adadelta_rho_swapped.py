# replaces: adadelta_impl
# breaks: adadelta
# bug: rho and 1 - rho swapped in the averages: rho weighs the NEW value
<<<<<<< reference
                v.mul_(rho).addcmul_(g, g, value=1 - rho)
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
=======
                v.mul_(1 - rho).addcmul_(g, g, value=rho)
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                u.mul_(1 - rho).addcmul_(delta, delta, value=rho)
>>>>>>> mutant
