"""Proof that an assignment is right before students see it: the sample class made from its own material
(sample_class) and ``validate``, which grades it end to end.
"""
