# replaces: hyperband_impl
# breaks: hyperband
# bug: ignores halving=None: calls None instead of successive_halving
<<<<<<< reference
    halving = successive_halving if halving is None else halving
=======
>>>>>>> mutant
