# replaces: adam_impl
# breaks: adam
# bug: the moments and step count live in an attribute of the optimizer, not in self.state: a checkpoint loses them
<<<<<<< reference
                state = self.state[p]
=======
                if not hasattr(self, "moments"):
                    self.moments = {}
                state = self.moments.setdefault(p, {})
>>>>>>> mutant
