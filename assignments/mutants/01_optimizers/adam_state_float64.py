# replaces: adam_impl
# breaks: adam
# bug: the moments in float64: a float32 model gets float64 state (torch keeps the parameter's dtype)
<<<<<<< reference
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
=======
                    state["exp_avg"] = torch.zeros(p.shape, dtype=torch.float64)
                    state["exp_avg_sq"] = torch.zeros(p.shape, dtype=torch.float64)
>>>>>>> mutant
