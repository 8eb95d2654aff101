# replaces: orthogonal_impl
# breaks: orthogonal
# bug: the gain is ignored
<<<<<<< reference
        tensor.mul_(gain)

=======
>>>>>>> mutant
