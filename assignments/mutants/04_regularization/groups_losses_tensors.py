# replaces: groups_impl
# breaks: groups
# bug: train_steps returns the losses as detached 0-dim tensors instead of Python floats
<<<<<<< reference
        losses.append(data_loss.item())
=======
        losses.append(data_loss.detach())
>>>>>>> mutant
