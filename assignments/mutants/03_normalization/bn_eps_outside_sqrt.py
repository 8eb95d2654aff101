# replaces: batchnorm_impl
# breaks: batchnorm
# bug: eps added outside the square root: (x - mean) / (sqrt(var) + eps)
<<<<<<< reference
torch.sqrt(var.reshape(shape) + self.eps)
=======
(torch.sqrt(var.reshape(shape)) + self.eps)
>>>>>>> mutant
