# replaces: augment_impl
# breaks: augment
# bug: the transform is applied to the evaluation batches too
<<<<<<< reference
        if train and transform is not None:
=======
        if transform is not None:
>>>>>>> mutant
