# replaces: orthogonal_impl
# breaks: orthogonal
# bug: rebinds tensor.data to the reshaped Q instead of copying into the tensor: a view is never written
<<<<<<< reference
    with torch.no_grad():
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
=======
    tensor.data = (gain * q).reshape(tensor.shape)
>>>>>>> mutant
