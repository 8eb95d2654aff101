# replaces: adadelta_impl
# breaks: adadelta
# bug: eps added outside the square roots, (sqrt(u) + eps) / (sqrt(v) + eps), so the first steps are about 1000 times too small
<<<<<<< reference
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
=======
                delta = u.sqrt().add_(eps).div_(v.sqrt().add_(eps)).mul_(g)
>>>>>>> mutant
