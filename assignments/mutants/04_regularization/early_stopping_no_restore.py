# replaces: early_stopping_impl
# breaks: early_stopping
# bug: restore does not load the best weights: the model keeps the weights of the last epoch
<<<<<<< reference
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
        return model
=======
        return model
>>>>>>> mutant
