# replaces: batchnorm_impl
# why: statistics on a (C, m) view of the input (transpose + reshape), running statistics updated with lerp_, a num_batches_tracked buffer like torch's, and the affine folded into one scale and one shift per channel
<<<<<<< reference
        self.register_buffer("running_mean", torch.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", torch.ones(num_features, dtype=dtype))
=======
        self.register_buffer("running_mean", torch.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", torch.ones(num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
>>>>>>> mutant
<<<<<<< reference
        if x.dim() < 2 or x.shape[1] != self.num_features:
            raise ValueError(f"expected (N, {self.num_features}, ...) input, got {tuple(x.shape)}")
        dims = [0] + list(range(2, x.dim()))  # every dimension but the channel one
        shape = [1, -1] + [1] * (x.dim() - 2)  # a per-channel vector broadcast against x
        if self.training:
            m = x.numel() // x.shape[1]
            if m <= 1:
                raise ValueError("Expected more than 1 value per channel when training, "
                                 f"got input size {tuple(x.shape)}")
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * m / (m - 1))
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return self.weight.reshape(shape) * x_hat + self.bias.reshape(shape)
=======
        C = self.num_features
        if x.dim() not in (2, 3, 4) or x.shape[1] != C:
            raise ValueError(f"expected (N, {C}), (N, {C}, L) or (N, {C}, H, W), got {tuple(x.shape)}")
        shape = (1, C) + (1,) * (x.dim() - 2)
        if self.training:
            rows = x.transpose(0, 1).reshape(C, -1)  # one row of m values per channel
            m = rows.shape[1]
            if m < 2:
                raise ValueError("Expected more than 1 value per channel when training")
            mean = rows.mean(dim=1)
            centred = rows - mean[:, None]
            var = (centred ** 2).mean(dim=1)
            with torch.no_grad():
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var * (m / (m - 1)), self.momentum)
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        scale = self.weight * torch.rsqrt(var + self.eps)
        shift = self.bias - mean * scale
        return x * scale.view(shape) + shift.view(shape)
>>>>>>> mutant
