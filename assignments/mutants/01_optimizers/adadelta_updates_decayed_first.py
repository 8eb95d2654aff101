# replaces: adadelta_impl
# breaks: adadelta
# bug: the update average u is multiplied by rho before the step reads it (the numerator uses rho * u, not u)
<<<<<<< reference
                v.mul_(rho).addcmul_(g, g, value=1 - rho)
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
=======
                v.mul_(rho).addcmul_(g, g, value=1 - rho)
                u.mul_(rho)
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                u.addcmul_(delta, delta, value=1 - rho)
>>>>>>> mutant
