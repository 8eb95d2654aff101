# replaces: adadelta_impl
# breaks: adadelta
# bug: both averages in float64 "for precision": a float32 model gets float64 state (torch keeps the parameter's dtype)
<<<<<<< reference
                    state["square_avg"] = torch.zeros_like(p)
                    state["acc_delta"] = torch.zeros_like(p)
=======
                    state["square_avg"] = torch.zeros_like(p, dtype=torch.float64)
                    state["acc_delta"] = torch.zeros_like(p, dtype=torch.float64)
>>>>>>> mutant
