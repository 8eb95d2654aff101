# replaces: groups_impl
# breaks: groups
# bug: with coupling='optimizer' the penalty is also added to the loss: the decay is applied twice
<<<<<<< reference
        if coupling == "penalty":
            loss = loss + lam / 2
=======
        if lam > 0:
            loss = loss + lam / 2
>>>>>>> mutant
