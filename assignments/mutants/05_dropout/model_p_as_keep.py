# replaces: model_impl
# breaks: model
# bug: nn.Dropout(1 - p): p read as the keep probability (right only for p = 0.5)
<<<<<<< reference
        self.drop = nn.Dropout(p)
=======
        self.drop = nn.Dropout(1 - p)
>>>>>>> mutant
