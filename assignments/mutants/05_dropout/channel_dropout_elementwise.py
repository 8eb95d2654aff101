# replaces: channel_dropout_impl
# breaks: channel_dropout
# bug: elementwise instead of channel dropout: one mask entry per element
<<<<<<< reference
    shape = tuple(x.shape[:2]) + (1,) * (x.dim() - 2)
=======
    shape = tuple(x.shape)
>>>>>>> mutant
