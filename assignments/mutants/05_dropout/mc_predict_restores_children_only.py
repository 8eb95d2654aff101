# replaces: mc_predict_impl
# breaks: mc_predict
# bug: saves and restores the modes of the model and its direct children only, not of nested submodules
<<<<<<< reference
    modes = [(m, m.training) for m in model.modules()]
=======
    modes = [(model, model.training)] + [(m, m.training) for m in model.children()]
>>>>>>> mutant
