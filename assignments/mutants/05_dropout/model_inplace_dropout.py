# replaces: model_impl
# breaks: model
# bug: nn.Dropout(p, inplace=True) after torch.relu: the forward pass is right, but backward fails in train()
<<<<<<< reference
        self.drop = nn.Dropout(p)
=======
        self.drop = nn.Dropout(p, inplace=True)
>>>>>>> mutant
