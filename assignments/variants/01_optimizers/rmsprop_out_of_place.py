# replaces: rmsprop_impl
# why: the average is rebuilt as a new tensor each step (alpha*v + (1-alpha)*g^2) and p is updated with p.sub_
<<<<<<< reference
                sq = state["square_avg"]
                sq.mul_(alpha).addcmul_(g, g, value=1 - alpha)
                p.addcdiv_(g, sq.sqrt().add_(group["eps"]), value=-group["lr"])
=======
                state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g.square()
                p.sub_(group["lr"] * g / (torch.sqrt(state["square_avg"]) + group["eps"]))
>>>>>>> mutant
