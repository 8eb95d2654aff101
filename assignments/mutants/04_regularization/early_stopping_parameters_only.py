# replaces: early_stopping_impl
# breaks: early_stopping
# bug: only the parameters are saved (named_parameters, loaded with strict=False): the buffers, e.g. BatchNorm's running statistics, are not restored
<<<<<<< reference
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
=======
                self.best_state = {k: v.detach().clone() for k, v in model.named_parameters()}
>>>>>>> mutant
<<<<<<< reference
            model.load_state_dict(self.best_state)
=======
            model.load_state_dict(self.best_state, strict=False)
>>>>>>> mutant
