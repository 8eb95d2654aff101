# replaces: adadelta_impl
# breaks: adadelta
# bug: the numerator is the RMS of the gradients (the squared-gradient average), not of the past updates: the step becomes lr * g
<<<<<<< reference
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
=======
                delta = v.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
>>>>>>> mutant
