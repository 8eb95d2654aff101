# replaces: adadelta_impl
# why: written with the RMS as out-of-place tensors, averages by lerp_, a step counter as torch keeps, p.sub_(lr * delta)
<<<<<<< reference
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                    state["acc_delta"] = torch.zeros_like(p)
=======
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["acc_delta"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
>>>>>>> mutant
<<<<<<< reference
                v.mul_(rho).addcmul_(g, g, value=1 - rho)
                delta = u.add(eps).sqrt_().div_(v.add(eps).sqrt_()).mul_(g)
                u.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.add_(delta, alpha=-group["lr"])
=======
                v.lerp_(g * g, 1 - rho)
                rms_update = torch.sqrt(u + eps)
                rms_grad = torch.sqrt(v + eps)
                delta = rms_update / rms_grad * g
                u.lerp_(delta * delta, 1 - rho)
                p.sub_(group["lr"] * delta)
>>>>>>> mutant
