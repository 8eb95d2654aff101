# replaces: adadelta_impl
# breaks: adadelta
# bug: the two averages live in an attribute of the optimizer, not in self.state: a checkpoint loses them
<<<<<<< reference
                state = self.state[p]
=======
                if not hasattr(self, "averages"):
                    self.averages = {}
                state = self.averages.setdefault(p, {})
>>>>>>> mutant
