"""Seeds and devices: one call makes a notebook's numbers repeatable, so a grader can compare them."""

from __future__ import annotations

import hashlib
import os
import random
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

# torch is imported by each function that needs it, not here: importing `course` then costs no torch (~1.5 s), and a
# grading kernel whose notebook never makes a tensor (a course without torch, the grader's own test course) is spared
# it. Notebooks that use torch import it themselves.

__all__ = ["get_device", "make_generator", "seed_everything", "vary"]

_DEVICE_NAMES = ("auto", "cpu", "cuda")


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python's ``random``, numpy's global state and torch (CPU and every CUDA device).

    With ``deterministic`` (the default) torch is also told to use deterministic kernels only, so two runs of the
    same notebook give the same numbers on the same hardware: ``torch.use_deterministic_algorithms(True)``,
    cuDNN autotuning off, and ``CUBLAS_WORKSPACE_CONFIG`` set (cuBLAS needs it for deterministic matmuls; it must
    be in the environment before the first CUDA call, so seed early). An operation without a deterministic
    implementation then raises instead of silently varying.
    """
    import torch

    if type(seed) is not int:  # bool, float, numpy ints give different streams in the three libraries
        try:
            seed = int(seed)  # numpy/torch integers are fine
        except (TypeError, ValueError) as exc:
            raise TypeError(f"seed must be an int, got {type(seed).__name__}") from exc
    random.seed(seed)
    np.random.seed(seed % 2**32)  # numpy's legacy seed accepts 0..2**32-1 only
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
    else:
        torch.use_deterministic_algorithms(False)


def get_device(name: str = "auto") -> torch.device:
    """The device a notebook runs on: ``"auto"`` (CUDA when available, else CPU), ``"cpu"`` or ``"cuda"``.

    Asking for ``"cuda"`` on a machine without a GPU is an error rather than a silent CPU run, so a grading job
    that expects a GPU fails loudly.
    """
    import torch

    if not isinstance(name, str) or name.strip().lower() not in _DEVICE_NAMES:
        raise ValueError(f"unknown device {name!r}; use one of {', '.join(_DEVICE_NAMES)}")
    name = name.strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            'device "cuda" was requested but torch finds no CUDA GPU here (torch.cuda.is_available() is False); '
            'use DEVICE = "auto" or "cpu"'
        )
    return torch.device(name)


def make_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """A fresh ``torch.Generator`` seeded with ``seed``: tests draw from it so their inputs do not depend on
    (or disturb) the global random state the student's code uses."""
    import torch

    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed))
    return gen


# --------------------------------------------------------------------------- per-student inputs
#
# Hidden tests draw their inputs from ``make_generator(vary(k))`` (or ``seed=vary(k)``): outside grading ``vary(k)``
# is ``k``, so the author's and the student's own runs are exactly as written. While grading, the grader's first
# cell calls ``use_inputs`` with the student's variant (autograder/trust/inputs.py: from the student's id and the
# assignment's version), so each student's hidden tests see their own inputs and a table of one student's outputs
# is worthless to another. The expected values for that variant come from the reference run with the same
# variant, outside the student's process: changing the variant in the kernel only makes the student's answers
# wrong for the inputs they are graded on.

_variant: str = ""


def vary(seed: int) -> int:
    """The seed a hidden test draws its inputs from: ``seed`` itself outside grading, and ``seed`` mixed with the
    student's variant while grading (a 31-bit int, valid for torch, numpy and ``random``)."""
    seed = int(seed)
    if not _variant:
        return seed
    digest = hashlib.sha256(f"{_variant}:{seed}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


def random_state() -> tuple:
    """The global random state of Python, numpy and torch (CPU and CUDA), for ``use_inputs`` to restore."""
    import torch

    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    return random.getstate(), np.random.get_state(), torch.get_rng_state(), cuda


def use_inputs(variant: str, state: tuple | None = None) -> None:
    """The grader's: make ``vary`` draw this variant's inputs ("" for the inputs as written); with ``state`` (from
    ``random_state``), first put the global random state back, so the reference run can run one test cell for
    several variants and each run starts where a student's would."""
    global _variant
    if state is not None:
        import torch

        py, numpy_state, cpu, cuda = state
        random.setstate(py)
        np.random.set_state(numpy_state)
        torch.set_rng_state(cpu)
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)
    _variant = str(variant)
