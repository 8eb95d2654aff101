# replaces: model_impl
# why: the layers are created in another order (fc3 first, then fc2, fc1): other initial weights than the reference, same model
<<<<<<< reference
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_hidden)
        self.fc3 = nn.Linear(n_hidden, n_out)
=======
        self.fc3 = nn.Linear(n_hidden, n_out)
        self.fc2 = nn.Linear(n_hidden, n_hidden)
        self.fc1 = nn.Linear(n_in, n_hidden)
>>>>>>> mutant
