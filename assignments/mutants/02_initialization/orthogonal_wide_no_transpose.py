# replaces: orthogonal_impl
# breaks: orthogonal
# bug: wide matrices are not transposed before the QR: the reduced Q has the wrong shape for rows < cols
<<<<<<< reference
    if rows < cols:
        a = a.t()

=======
>>>>>>> mutant
<<<<<<< reference
    if rows < cols:
        q = q.t()

=======
>>>>>>> mutant
