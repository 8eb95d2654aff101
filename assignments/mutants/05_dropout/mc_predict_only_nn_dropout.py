# replaces: mc_predict_impl
# breaks: mc_predict
# bug: switches on only nn.Dropout modules (isinstance(m, nn.Dropout)), not nn.Dropout1d/2d/3d or AlphaDropout
<<<<<<< reference
            if isinstance(m, DROPOUT_TYPES):
=======
            if isinstance(m, nn.Dropout):
>>>>>>> mutant
