# replaces: augment_impl
# breaks: augment
# bug: the inputs are shuffled but the labels are taken in the original order: labels no longer match their samples
<<<<<<< reference
        xb, yb = x[idx], y[idx]
=======
        xb, yb = x[idx], y[start:start + batch_size]
>>>>>>> mutant
