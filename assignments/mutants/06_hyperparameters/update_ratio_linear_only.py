# replaces: update_ratio_impl
# breaks: update_ratio
# bug: watches only the weights of nn.Linear layers (not convolutions or embeddings)
<<<<<<< reference
    weights = [(name, p) for name, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
=======
    weights = [(f"{prefix}.weight" if prefix else "weight", m.weight) for prefix, m in model.named_modules()
               if isinstance(m, nn.Linear) and m.weight.requires_grad]
>>>>>>> mutant
