# replaces: sgd_impl
# breaks: sgd
# bug: the update assigns a new tensor to p.data instead of updating p in place
<<<<<<< reference
                p.add_(g, alpha=-lr)
=======
                p.data = p.data - lr * g
>>>>>>> mutant
