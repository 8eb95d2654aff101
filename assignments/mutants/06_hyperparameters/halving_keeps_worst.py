# replaces: halving_impl
# breaks: halving
# bug: keeps the configurations with the highest losses
<<<<<<< reference
        ranked = sorted(range(len(alive)), key=lambda j: losses[j])  # a stable sort: ties keep the earlier position
=======
        ranked = sorted(range(len(alive)), key=lambda j: losses[j], reverse=True)
>>>>>>> mutant
