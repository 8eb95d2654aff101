# replaces: early_stopping_impl
# breaks: early_stopping
# bug: stops when counter > patience where >= is needed: one epoch too late
<<<<<<< reference
        return self.counter >= self.patience
=======
        return self.counter > self.patience
>>>>>>> mutant
