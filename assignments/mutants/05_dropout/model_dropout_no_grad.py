# replaces: model_impl
# breaks: model
# bug: the first dropout runs under torch.no_grad() ("the mask is not learned"): no gradient reaches fc1
<<<<<<< reference
        h = self.drop(torch.relu(self.fc1(x)))
=======
        h = torch.relu(self.fc1(x))
        with torch.no_grad():
            h = self.drop(h)
>>>>>>> mutant
