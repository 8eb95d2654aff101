# replaces: init_model_impl
# breaks: init_model
# bug: only nn.Linear layers are initialized; conv layers keep torch's default initialization
<<<<<<< reference
            if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
=======
            if isinstance(m, nn.Linear):
>>>>>>> mutant
