# replaces: update_ratio_impl
# breaks: update_ratio
# bug: keeps p.detach() as the "before" weights: it shares memory with p, so the step changes it too
<<<<<<< reference
    before = {name: p.detach().clone() for name, p in weights}
=======
    before = {name: p.detach() for name, p in weights}
>>>>>>> mutant
