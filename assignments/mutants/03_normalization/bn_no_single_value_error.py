# replaces: batchnorm_impl
# breaks: batchnorm
# bug: no error for a single value per channel in train mode (silently divides by m - 1 = 0)
<<<<<<< reference
            if m <= 1:
                raise ValueError("Expected more than 1 value per channel when training, "
                                 f"got input size {tuple(x.shape)}")

=======
>>>>>>> mutant
