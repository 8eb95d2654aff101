# replaces: init_model_impl
# breaks: init_model
# bug: the normalization layers listed stop at BatchNorm and LayerNorm: GroupNorm keeps its parameters
<<<<<<< reference
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm)
=======
    norms = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm)
>>>>>>> mutant
