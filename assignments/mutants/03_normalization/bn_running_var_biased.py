# replaces: batchnorm_impl
# breaks: batchnorm
# bug: the running variance is updated with the biased batch variance (no m/(m-1) correction)
<<<<<<< reference
self.momentum * var * m / (m - 1))
=======
self.momentum * var)
>>>>>>> mutant
