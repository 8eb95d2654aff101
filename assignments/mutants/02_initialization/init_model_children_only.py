# replaces: init_model_impl
# breaks: init_model
# bug: walks model.children() (direct children only): layers nested in custom modules or ModuleLists are skipped
<<<<<<< reference
        for m in model.modules():
=======
        for m in model.children():
>>>>>>> mutant
