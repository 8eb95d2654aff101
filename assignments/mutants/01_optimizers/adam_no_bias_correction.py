# replaces: adam_impl
# breaks: adam
# bug: no bias correction: m and v used directly, so the first steps are ~3x too large with the default betas
<<<<<<< reference
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
=======
                m_hat = m
                v_hat = v
>>>>>>> mutant
