# replaces: sgd_impl
# breaks: sgd
# bug: Nesterov is ignored: the step uses the buffer alone instead of g + mu*b
<<<<<<< reference
                    g = g.add(buf, alpha=mu) if nesterov else buf
=======
                    g = buf
>>>>>>> mutant
