# replaces: dropout_impl
# breaks: dropout
# bug: the mask is cast with .float(), so a float16 or bfloat16 input gives a float32 output
<<<<<<< reference
    mask = keep.to(device=x.device, dtype=x.dtype)
=======
    mask = keep.float().to(x.device)
>>>>>>> mutant
