# replaces: update_ratio_impl
# breaks: update_ratio
# bug: does not zero the gradients: from the second call on they accumulate
<<<<<<< reference
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
=======
    loss = loss_fn(model(x), y)
>>>>>>> mutant
