# replaces: mc_predict_impl
# breaks: mc_predict
# bug: model.train() for the passes: batch norm uses the batch's statistics and updates its running ones
<<<<<<< reference
        model.eval()
        for m in model.modules():
            if isinstance(m, DROPOUT_TYPES):
                m.train()
=======
        model.train()
>>>>>>> mutant
