# replaces: update_ratio_impl
# breaks: update_ratio
# bug: zeroes the gradients after the step instead of before backward: gradients the caller left in .grad join the first step
<<<<<<< reference
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
=======
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
>>>>>>> mutant
