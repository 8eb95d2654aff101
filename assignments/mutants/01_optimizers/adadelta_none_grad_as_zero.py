# replaces: adadelta_impl
# breaks: adadelta
# bug: a parameter whose grad is None is treated as having a zero gradient: it does not move, but both averages still decay
<<<<<<< reference
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                    state["acc_delta"] = torch.zeros_like(p)
                g = p.grad
=======
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                    state["acc_delta"] = torch.zeros_like(p)
                g = p.grad if p.grad is not None else torch.zeros_like(p)
>>>>>>> mutant
