# replaces: dropout_impl
# breaks: dropout
# bug: no 1/(1-p) scaling of the kept entries (neither original nor inverted dropout)
<<<<<<< reference
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
=======
        scale = 1.0
>>>>>>> mutant
