# replaces: sgd_impl
# breaks: sgd
# bug: the momentum buffer starts as p.grad itself (no copy), so the next zero_grad/backward overwrites it
<<<<<<< reference
                        buf = g.detach().clone()
=======
                        buf = g
>>>>>>> mutant
