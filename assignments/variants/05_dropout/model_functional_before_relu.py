# replaces: model_impl
# why: nn.functional.dropout(..., training=self.training) applied before the ReLU (relu(m h / q) = m relu(h) / q), no dropout module
<<<<<<< reference
        self.drop = nn.Dropout(p)
=======
        self.p = p
>>>>>>> mutant
<<<<<<< reference
        h = self.drop(torch.relu(self.fc1(x)))
        h = self.drop(torch.relu(self.fc2(h)))
        return self.fc3(h)
=======
        h = torch.relu(nn.functional.dropout(self.fc1(x), self.p, training=self.training))
        h = torch.relu(nn.functional.dropout(self.fc2(h), self.p, training=self.training))
        return self.fc3(h)
>>>>>>> mutant
