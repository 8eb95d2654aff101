# replaces: sgd_impl
# breaks: sgd
# bug: the momentum buffer starts at zero, so the first step is (1 - dampening)*g instead of g
<<<<<<< reference
                        buf = g.detach().clone()
                        state["momentum_buffer"] = buf
                    else:
                        buf.mul_(mu).add_(g, alpha=1 - tau)
=======
                        buf = torch.zeros_like(p)
                        state["momentum_buffer"] = buf
                    buf.mul_(mu).add_(g, alpha=1 - tau)
>>>>>>> mutant
