# replaces: cyclic_impl
# breaks: cyclic
# bug: ignores step_size_down: always a symmetric triangle
<<<<<<< reference
    down = step_size_up if step_size_down is None else step_size_down
=======
    down = step_size_up
>>>>>>> mutant
