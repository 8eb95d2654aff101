# replaces: adamw_impl
# why: decay written as p.sub_(lr*wd*p), moments rebuilt out of place, the update as one p -= expression
<<<<<<< reference
                p.mul_(1 - lr * wd)
                g = p.grad
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                denom = (v / (1 - beta2 ** t)).sqrt().add_(group["eps"])
                p.addcdiv_(m / (1 - beta1 ** t), denom, value=-lr)
=======
                p.sub_(lr * wd * p)
                g = p.grad
                state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * g
                state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
                m_hat = state["exp_avg"] / (1 - beta1 ** t)
                v_hat = state["exp_avg_sq"] / (1 - beta2 ** t)
                p -= lr * m_hat / (torch.sqrt(v_hat) + group["eps"])
>>>>>>> mutant
