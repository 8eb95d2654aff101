# replaces: sgd_impl
# why: out-of-place arithmetic: the buffer is rebuilt as a new tensor each step and p is updated with p.sub_
<<<<<<< reference
                g = p.grad
                if wd != 0:
                    g = g.add(p, alpha=wd)
                if mu != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = g.detach().clone()
                        state["momentum_buffer"] = buf
                    else:
                        buf.mul_(mu).add_(g, alpha=1 - tau)
                    g = g.add(buf, alpha=mu) if nesterov else buf
                p.add_(g, alpha=-lr)
=======
                g = p.grad + wd * p if wd != 0 else p.grad
                if mu != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = torch.clone(g).detach()
                    else:
                        state["momentum_buffer"] = mu * state["momentum_buffer"] + (1 - tau) * g
                    buf = state["momentum_buffer"]
                    g = g + mu * buf if nesterov else buf
                p.sub_(lr * g)
>>>>>>> mutant
