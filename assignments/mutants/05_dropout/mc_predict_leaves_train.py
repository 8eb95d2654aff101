# replaces: mc_predict_impl
# breaks: mc_predict
# bug: the modes are not restored: the model is left with its dropout modules in train mode
<<<<<<< reference
    finally:
        for m, mode in modes:
            m.training = mode
=======
    finally:
        pass
>>>>>>> mutant
