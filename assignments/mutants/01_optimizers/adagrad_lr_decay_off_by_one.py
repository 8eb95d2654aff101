# replaces: adagrad_impl
# breaks: adagrad
# bug: lr decay uses t instead of t - 1: lr / (1 + t*lr_decay), already decayed at the first step
<<<<<<< reference
                clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
=======
                clr = group["lr"] / (1 + state["step"] * group["lr_decay"])
>>>>>>> mutant
