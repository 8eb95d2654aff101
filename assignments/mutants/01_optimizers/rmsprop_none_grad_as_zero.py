# replaces: rmsprop_impl
# breaks: rmsprop
# bug: a parameter whose grad is None is treated as having a zero gradient: it does not move, but its square average still decays, so its later steps are too large
<<<<<<< reference
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                g = p.grad
=======
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                g = p.grad if p.grad is not None else torch.zeros_like(p)
>>>>>>> mutant
