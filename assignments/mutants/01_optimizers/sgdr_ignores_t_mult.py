# replaces: sgdr_impl
# breaks: sgdr
# bug: every cycle lasts T_0 epochs: T_mult is ignored
<<<<<<< reference
        T_i *= T_mult
=======
        pass
>>>>>>> mutant
