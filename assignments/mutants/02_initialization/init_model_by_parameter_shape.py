# replaces: init_model_impl
# breaks: init_model
# bug: goes by parameter, not by module: every 2-D+ parameter gets the scheme (Embedding, custom parameters too)
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
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                if scheme == "xavier":
                    nn.init.xavier_uniform_(p, generator=generator)
                elif scheme == "kaiming":
                    nn.init.kaiming_normal_(p, mode="fan_in", nonlinearity="relu", generator=generator)
                else:
                    nn.init.orthogonal_(p, generator=generator)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
            else:
                nn.init.ones_(p)
>>>>>>> mutant
