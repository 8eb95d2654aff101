# replaces: model_impl
# breaks: model
# bug: dropout also applied to the output logits
<<<<<<< reference
        return self.fc3(h)
=======
        return self.drop(self.fc3(h))
>>>>>>> mutant
