# replaces: adagrad_impl
# breaks: adagrad
# bug: the accumulator starts at the group's initial_accumulator_value, which torch ignores (it uses the constructor's)
<<<<<<< reference
                    state["sum"] = torch.full_like(p, self.defaults["initial_accumulator_value"])
=======
                    state["sum"] = torch.full_like(p, group["initial_accumulator_value"])
>>>>>>> mutant
