# replaces: early_stopping_impl
# breaks: early_stopping
# bug: <= instead of < (and >= instead of >): a tie, or a gain of exactly min_delta, counts as an improvement
<<<<<<< reference
            improved = value < self.best - self.min_delta
=======
            improved = value <= self.best - self.min_delta
>>>>>>> mutant
<<<<<<< reference
            improved = value > self.best + self.min_delta
=======
            improved = value >= self.best + self.min_delta
>>>>>>> mutant
