# replaces: early_stopping_impl
# why: one signed comparison for both modes (sign * (best - value) > min_delta), the epoch counted from len(history), and the best model kept as a deep copy whose state_dict is loaded back
<<<<<<< reference
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.best = None
        self.best_epoch = None
        self.best_state = None
        self.counter = 0
        self.epoch = -1
=======
        signs = {"min": 1.0, "max": -1.0}
        if mode not in signs:
            raise ValueError(mode)
        self.sign = signs[mode]
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.best, self.best_epoch, self.best_model = None, None, None
        self.counter = 0
        self.history = []
>>>>>>> mutant
<<<<<<< reference
        self.epoch += 1
        value = float(value)
        if self.best is None:
            improved = True
        elif self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch, self.counter = value, self.epoch, 0
            if model is not None:
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.counter += 1
        return self.counter >= self.patience
=======
        epoch = len(self.history)
        self.history.append(value)
        if self.best is None or self.sign * (self.best - value) > self.min_delta:
            self.best = value
            self.best_epoch = epoch
            self.counter = 0
            if model is not None:
                self.best_model = copy.deepcopy(model)
            return False
        self.counter += 1
        return bool(self.counter >= self.patience)
>>>>>>> mutant
<<<<<<< reference
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
        return model
=======
        if self.best_model is not None:
            model.load_state_dict(self.best_model.state_dict())
        return model
>>>>>>> mutant
