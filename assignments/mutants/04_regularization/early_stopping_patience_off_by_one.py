# replaces: early_stopping_impl
# breaks: early_stopping
# bug: the counter restarts at 1 on an improvement: training stops one epoch early
<<<<<<< reference
            self.best, self.best_epoch, self.counter = value, self.epoch, 0
=======
            self.best, self.best_epoch, self.counter = value, self.epoch, 1
>>>>>>> mutant
