# replaces: init_model_impl
# breaks: init_model
# bug: generator=None becomes a fresh torch.Generator() (the same default seed in every run) instead of the global generator
<<<<<<< reference
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm)
=======
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm)
    generator = generator if generator is not None else torch.Generator()
>>>>>>> mutant
