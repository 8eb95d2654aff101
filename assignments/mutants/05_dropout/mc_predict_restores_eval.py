# replaces: mc_predict_impl
# breaks: mc_predict
# bug: always leaves the model in eval() instead of restoring its original (train or mixed) modes
<<<<<<< reference
    finally:
        for m, mode in modes:
            m.training = mode
=======
    finally:
        model.eval()
>>>>>>> mutant
