# replaces: adadelta_impl
# breaks: adadelta
# bug: the step ignores lr (Zeiler's paper has none; torch multiplies the step by lr)
<<<<<<< reference
                p.add_(delta, alpha=-group["lr"])
=======
                p.sub_(delta)
>>>>>>> mutant
