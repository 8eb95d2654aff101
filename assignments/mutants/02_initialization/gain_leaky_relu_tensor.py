# replaces: gain_impl
# breaks: gain
# bug: the leaky_relu gain is computed with torch (float64) and returned as a 0-dim tensor, not a Python number
<<<<<<< reference
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
=======
        slope = torch.tensor(0.01 if param is None else param, dtype=torch.float64)
        return torch.sqrt(2.0 / (1 + slope ** 2))
>>>>>>> mutant
