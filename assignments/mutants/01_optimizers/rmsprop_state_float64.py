# replaces: rmsprop_impl
# breaks: rmsprop
# bug: the average of squared gradients in float64: a float32 model gets float64 state (torch keeps the parameter's dtype)
<<<<<<< reference
                    state["square_avg"] = torch.zeros_like(p)
=======
                    state["square_avg"] = torch.zeros_like(p, dtype=torch.float64)
>>>>>>> mutant
