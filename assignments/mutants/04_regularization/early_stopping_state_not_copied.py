# replaces: early_stopping_impl
# breaks: early_stopping
# bug: the best state_dict is kept without cloning: its tensors are the live parameters, so 'restore' restores the last epoch
<<<<<<< reference
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
=======
                self.best_state = model.state_dict()
>>>>>>> mutant
