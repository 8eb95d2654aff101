# replaces: xavier_impl
# breaks: xavier
# bug: xavier_normal_ fills the tensor without torch.no_grad(): fails on an nn.Parameter (a leaf that requires grad)
<<<<<<< reference
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        tensor.normal_(0.0, std, generator=generator)
=======
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    tensor.normal_(0.0, std, generator=generator)
>>>>>>> mutant
