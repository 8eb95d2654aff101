# replaces: early_stopping_impl
# breaks: early_stopping
# bug: mode='max' is accepted but the comparison is always that of mode 'min'
<<<<<<< reference
        elif self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
=======
        else:
            improved = value < self.best - self.min_delta
>>>>>>> mutant
