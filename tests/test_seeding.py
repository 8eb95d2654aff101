"""Seeding makes notebook numbers repeatable; device selection fails loudly instead of silently falling back."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
import torch

from course import get_device, make_generator, seed_everything


@pytest.fixture(autouse=True)
def _restore_determinism():
    before = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(before)


def _draws() -> tuple[list[float], list[float], list[float]]:
    return (
        [random.random() for _ in range(3)],
        np.random.rand(3).tolist(),
        torch.rand(3).tolist(),
    )


def test_same_seed_same_draws():
    seed_everything(123)
    first = _draws()
    seed_everything(123)
    assert _draws() == first
    seed_everything(124)
    assert _draws() != first


def test_seed_accepts_numpy_ints_and_large_values():
    seed_everything(np.int64(5))
    a = _draws()
    seed_everything(5)
    assert _draws() == a
    seed_everything(2**40)  # numpy's legacy seeding only takes 32 bits; must not raise


def test_deterministic_mode():
    seed_everything(0, deterministic=True)
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.backends.cudnn.deterministic is True
    assert torch.backends.cudnn.benchmark is False
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] in (":4096:8", ":16:8")
    seed_everything(0, deterministic=False)
    assert not torch.are_deterministic_algorithms_enabled()


def test_make_generator_is_independent_of_global_state():
    a = torch.rand(4, generator=make_generator(7))
    torch.manual_seed(99)
    torch.rand(10)
    b = torch.rand(4, generator=make_generator(7))
    assert torch.equal(a, b)
    assert not torch.equal(a, torch.rand(4, generator=make_generator(8)))
    assert make_generator(1).device == torch.device("cpu")


def test_get_device():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device() == torch.device(expected)
    assert get_device("auto") == torch.device(expected)
    assert get_device("cpu") == torch.device("cpu")
    assert get_device(" CPU ") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_gpu_is_a_clear_error():
    assert get_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match="cuda.*no CUDA GPU"):
        get_device("cuda")


@pytest.mark.parametrize("name", ["gpu", "cuda:9x", "", "mps2", None])
def test_unknown_device_names(name):
    with pytest.raises(ValueError, match="unknown device"):
        get_device(name)
