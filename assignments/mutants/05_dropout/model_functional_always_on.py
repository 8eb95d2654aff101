# replaces: model_impl
# breaks: model
# bug: F.dropout(h, p) without training=self.training: dropout stays on in eval()
<<<<<<< reference
        self.drop = nn.Dropout(p)
=======
        self.p = p
>>>>>>> mutant
<<<<<<< reference
        h = self.drop(torch.relu(self.fc1(x)))
        h = self.drop(torch.relu(self.fc2(h)))
=======
        h = nn.functional.dropout(torch.relu(self.fc1(x)), self.p)
        h = nn.functional.dropout(torch.relu(self.fc2(h)), self.p)
>>>>>>> mutant
