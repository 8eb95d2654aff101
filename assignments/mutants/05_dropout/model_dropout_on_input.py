# replaces: model_impl
# breaks: model
# bug: dropout also applied to the network's input
<<<<<<< reference
        h = self.drop(torch.relu(self.fc1(x)))
=======
        h = self.drop(torch.relu(self.fc1(self.drop(x))))
>>>>>>> mutant
