# replaces: mc_predict_impl
# breaks: mc_predict
# bug: model.train() and then only BatchNorm1d back to eval: a BatchNorm2d normalizes with the batch statistics
<<<<<<< reference
        model.eval()
        for m in model.modules():
            if isinstance(m, DROPOUT_TYPES):
                m.train()
=======
        model.train()
        for m in model.modules():
            if isinstance(m, nn.BatchNorm1d):
                m.eval()
>>>>>>> mutant
