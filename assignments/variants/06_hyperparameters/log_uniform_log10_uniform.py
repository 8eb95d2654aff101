# replaces: log_uniform_impl
# why: base-10 logarithms on the way in and out, u drawn in place with Tensor.uniform_ and the generator
<<<<<<< reference
    if not 0 < low < high:
        raise ValueError(f"log_uniform needs 0 < low < high, got low={low}, high={high}")
    u = torch.rand(n, generator=generator, dtype=torch.float64)
    return torch.exp(math.log(low) + u * (math.log(high) - math.log(low)))
=======
    if low <= 0 or high <= low:
        raise ValueError("need 0 < low < high")
    exponents = torch.empty(n, dtype=torch.float64).uniform_(math.log10(low), math.log10(high), generator=generator)
    return torch.pow(10.0, exponents)
>>>>>>> mutant
