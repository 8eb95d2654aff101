# replaces: mc_predict_impl
# breaks: mc_predict
# bug: switches on the dropout modules found by model.children(), missing those inside nested containers
<<<<<<< reference
        for m in model.modules():
            if isinstance(m, DROPOUT_TYPES):
=======
        for m in model.children():
            if isinstance(m, DROPOUT_TYPES):
>>>>>>> mutant
