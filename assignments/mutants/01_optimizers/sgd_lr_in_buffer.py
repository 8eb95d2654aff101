# replaces: sgd_impl
# breaks: sgd
# bug: the learning rate is folded into the velocity (v = mu*v + lr*g; p -= v), the classic form: equal to torch only while lr is constant and dampening is 0
<<<<<<< reference
                        buf = g.detach().clone()
                        state["momentum_buffer"] = buf
                    else:
                        buf.mul_(mu).add_(g, alpha=1 - tau)
                    g = g.add(buf, alpha=mu) if nesterov else buf
                p.add_(g, alpha=-lr)
=======
                        buf = (lr * g).detach().clone()
                        state["momentum_buffer"] = buf
                    else:
                        buf.mul_(mu).add_(g, alpha=lr * (1 - tau))
                    step = (lr * g).add(buf, alpha=mu) if nesterov else buf
                    p.sub_(step)
                else:
                    p.add_(g, alpha=-lr)
>>>>>>> mutant
