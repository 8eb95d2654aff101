# replaces: adam_impl
# why: torch's arrangement: lerp_ for m, step as a float tensor, lr/(1-beta1^t) and sqrt(v)/sqrt(1-beta2^t)
<<<<<<< reference
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
=======
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                t = state["step"].item()
>>>>>>> mutant
<<<<<<< reference
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
                p.addcdiv_(m_hat, v_hat.sqrt().add_(group["eps"]), value=-group["lr"])
=======
                m.lerp_(g, 1 - beta1)
                v.mul_(beta2).addcmul_(g, g.conj(), value=1 - beta2)
                step_size = group["lr"] / (1 - beta1 ** t)
                denom = (v.sqrt() / math.sqrt(1 - beta2 ** t)).add_(group["eps"])
                p.addcdiv_(m, denom, value=-step_size)
>>>>>>> mutant
