# replaces: orthogonal_impl
# breaks: orthogonal
# bug: no sign correction of the QR factor: still orthogonal, but not Haar-distributed (diagonal biased negative)
<<<<<<< reference
    q = q * torch.sign(torch.diagonal(r)).unsqueeze(0)

=======
>>>>>>> mutant
