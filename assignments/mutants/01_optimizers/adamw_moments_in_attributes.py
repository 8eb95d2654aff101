# replaces: adamw_impl
# breaks: adamw
# bug: the moments live in dicts attributes of the optimizer (self.m, self.v), not in self.state: a checkpoint loses them
<<<<<<< reference
                m, v = state["exp_avg"], state["exp_avg_sq"]
=======
                if not hasattr(self, "m"):
                    self.m, self.v = {}, {}
                m = self.m.setdefault(p, torch.zeros_like(p))
                v = self.v.setdefault(p, torch.zeros_like(p))
>>>>>>> mutant
