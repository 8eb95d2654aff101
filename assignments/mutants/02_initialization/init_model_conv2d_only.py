# replaces: init_model_impl
# breaks: init_model
# bug: only Linear and Conv2d are initialized by the scheme: Conv1d and Conv3d keep torch's default
<<<<<<< reference
            if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
=======
            if isinstance(m, (nn.Linear, nn.Conv2d)):
>>>>>>> mutant
