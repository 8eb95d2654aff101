# replaces: adam_impl
# breaks: adam
# bug: eps inside the square root: sqrt(v_hat + eps)
<<<<<<< reference
                p.addcdiv_(m_hat, v_hat.sqrt().add_(group["eps"]), value=-group["lr"])
=======
                p.addcdiv_(m_hat, v_hat.add(group["eps"]).sqrt(), value=-group["lr"])
>>>>>>> mutant
