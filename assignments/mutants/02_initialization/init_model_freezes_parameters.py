# replaces: init_model_impl
# breaks: init_model
# bug: turns off requires_grad to initialize "without autograd" and never turns it back on: the model cannot train
<<<<<<< reference
    with torch.no_grad():
        for m in model.modules():
=======
    model.requires_grad_(False)  # no autograd while initializing
    with torch.no_grad():
        for m in model.modules():
>>>>>>> mutant
