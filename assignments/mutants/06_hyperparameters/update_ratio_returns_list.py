# replaces: update_ratio_impl
# breaks: update_ratio
# bug: returns [loss, ratios], a list, where the contract says a tuple
<<<<<<< reference
    return loss.item(), ratios
=======
    return [loss.item(), ratios]
>>>>>>> mutant
