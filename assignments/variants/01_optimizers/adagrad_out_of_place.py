# replaces: adagrad_impl
# why: accumulator rebuilt out of place, step as a float tensor like torch, update with p -= ...
<<<<<<< reference
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["sum"] = torch.full_like(p, self.defaults["initial_accumulator_value"])
                state["step"] += 1
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])
                clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                state["sum"].addcmul_(g, g, value=1)
                p.addcdiv_(g, state["sum"].sqrt().add_(group["eps"]), value=-clr)
=======
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["sum"] = torch.zeros_like(p) + self.defaults["initial_accumulator_value"]
                state["step"] += 1
                step = state["step"].item()
                g = p.grad
                if group["weight_decay"]:
                    g = g + group["weight_decay"] * p
                state["sum"] = state["sum"] + g.square()
                p -= group["lr"] / (1 + (step - 1) * group["lr_decay"]) * g / (state["sum"].sqrt() + group["eps"])
>>>>>>> mutant
