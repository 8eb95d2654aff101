# replaces: adagrad_impl
# breaks: adagrad
# bug: the accumulator is overwritten with g^2 every step instead of summed
<<<<<<< reference
                state["sum"].addcmul_(g, g, value=1)
=======
                state["sum"] = g * g
>>>>>>> mutant
