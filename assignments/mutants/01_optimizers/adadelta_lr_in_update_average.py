# replaces: adadelta_impl
# breaks: adadelta
# bug: u averages the applied step lr * delta instead of the unscaled delta, so lr feeds back into the numerator
<<<<<<< reference
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.add_(delta, alpha=-group["lr"])
=======
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g).mul_(group["lr"])
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.sub_(delta)
>>>>>>> mutant
