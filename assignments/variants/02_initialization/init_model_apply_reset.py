# replaces: init_model_impl
# why: model.apply with a per-module function, a dict of schemes, and reset_parameters() for the normalization layers
<<<<<<< reference
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
                if scheme == "xavier":
                    nn.init.xavier_uniform_(m.weight, generator=generator)
                elif scheme == "kaiming":
                    nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu", generator=generator)
                else:
                    nn.init.orthogonal_(m.weight, generator=generator)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, norms):
                if getattr(m, "weight", None) is not None:
                    nn.init.ones_(m.weight)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
=======
    init_weight = {
        "xavier": lambda w: nn.init.xavier_uniform_(w, generator=generator),
        "kaiming": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=generator),
        "orthogonal": lambda w: nn.init.orthogonal_(w, generator=generator),
    }[scheme]

    def init_one(m):
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            init_weight(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, norms):
            m.reset_parameters()

    model.apply(init_one)
>>>>>>> mutant
