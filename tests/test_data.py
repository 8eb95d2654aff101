"""Datasets load offline with fixed shapes, dtypes and splits, and every file is checked against the registry."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import shutil
import tarfile

import numpy as np
import pytest
import torch

from course import DatasetError, Splits, load_dataset
from course import data as course_data
from course.data import registry, sha256_file, verify_all

REQUIRED_FIELDS = {"name", "kind", "file", "sha256", "size", "source", "licence", "description"}


@pytest.fixture(scope="session")
def mnist1d_dir(tmp_path_factory):
    """A cache directory holding a freshly generated mnist1d file (generated once per session, ~3 s)."""
    directory = tmp_path_factory.mktemp("course-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_DATA_DIR", str(directory))
        np.random.seed(5)
        splits = load_dataset("mnist1d")
        after = np.random.rand()
    np.random.seed(5)
    untouched = after == np.random.rand()  # generation must not reseed the caller's global numpy state
    return directory, splits, untouched


@pytest.fixture
def data_dir(mnist1d_dir, monkeypatch):
    directory = mnist1d_dir[0]
    monkeypatch.setenv("COURSE_DATA_DIR", str(directory))
    return directory


@pytest.fixture
def empty_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    return tmp_path


# --------------------------------------------------------------------------- registry


def test_registry_entries_are_complete():
    entries = registry()
    assert {"digits", "breast_cancer", "diabetes", "mnist1d", "cifar10"} <= set(entries)
    for name, entry in entries.items():
        assert REQUIRED_FIELDS <= set(entry), name
        assert entry["kind"] in ("sklearn", "generated", "local")
        assert isinstance(entry["sha256"], str) and len(entry["sha256"]) == 64, name
        int(entry["sha256"], 16)
        assert isinstance(entry["size"], int) and entry["size"] > 0
        if entry["kind"] != "sklearn":
            assert entry["file"], name


def test_sha256_file(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(b"abc" * 100_000)
    assert sha256_file(path) == hashlib.sha256(b"abc" * 100_000).hexdigest()


def test_missing_registry_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_REGISTRY", str(tmp_path / "nope.json"))
    with pytest.raises(DatasetError, match="registry not found"):
        load_dataset("digits")


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(DatasetError) as info:
        load_dataset("imagenet")
    msg = str(info.value)
    assert "imagenet" in msg
    for name in ("digits", "breast_cancer", "diabetes", "mnist1d", "cifar10"):
        assert name in msg
    assert isinstance(info.value, RuntimeError)


# --------------------------------------------------------------------------- sklearn sets


def test_digits():
    s = load_dataset("digits")
    assert isinstance(s, Splits) and s.name == "digits"
    assert s.x_train.shape == (1348, 64) and s.x_test.shape == (449, 64)
    assert s.x_train.dtype == torch.float32 and s.y_train.dtype == torch.int64
    assert s.num_classes == 10 and s.feature_shape == (64,)
    assert float(s.x_train.min()) == 0.0 and float(s.x_train.max()) == 1.0
    assert torch.unique(s.y_train).tolist() == list(range(10))
    assert torch.unique(s.y_test).tolist() == list(range(10))


def test_breast_cancer_standardized_with_train_statistics():
    s = load_dataset("breast_cancer")
    assert s.x_train.shape == (427, 30) and s.x_test.shape == (142, 30)
    assert s.num_classes == 2 and s.y_test.dtype == torch.int64
    assert torch.allclose(s.x_train.mean(0), torch.zeros(30), atol=1e-5)
    assert torch.allclose(s.x_train.std(0, unbiased=False), torch.ones(30), atol=1e-4)
    assert not torch.allclose(s.x_test.mean(0), torch.zeros(30), atol=1e-3)  # test set is not re-centred
    assert set(torch.unique(s.y_train).tolist()) == {0, 1}


def test_diabetes_regression():
    s = load_dataset("diabetes")
    assert s.x_train.shape == (332, 10) and s.y_train.shape == (332,)
    assert s.y_train.dtype == torch.float32 and s.num_classes is None
    assert abs(float(s.y_train.mean())) < 1e-5 and abs(float(s.y_train.std(unbiased=False)) - 1) < 1e-4


def test_split_is_deterministic_and_follows_arguments():
    a, b = load_dataset("digits"), load_dataset("digits")
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    c = load_dataset("digits", split_seed=1)
    assert not torch.equal(a.y_train, c.y_train)
    d = load_dataset("digits", test_fraction=0.5)
    assert len(d.x_test) == 898 and len(d.x_train) == 899
    train, test = course_data._split(100, 0.25, 3)
    assert len(test) == 25 and sorted(np.concatenate([train, test]).tolist()) == list(range(100))


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1e-6])
def test_bad_test_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        load_dataset("breast_cancer", test_fraction=fraction)


def test_changed_sklearn_copy_is_detected(monkeypatch, tmp_path):
    doc = json.loads(course_data.registry_path().read_text())
    for entry in doc["datasets"]:
        if entry["name"] == "digits":
            entry["sha256"] = "0" * 64
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setenv("COURSE_REGISTRY", str(path))
    with pytest.raises(DatasetError, match="scikit-learn") as info:
        load_dataset("digits")
    assert "0" * 64 in str(info.value) and registry()["breast_cancer"]["sha256"] not in str(info.value)


def test_splits_are_frozen():
    s = load_dataset("diabetes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]
    assert "diabetes" in repr(s) and "(332, 10)" in repr(s)


# --------------------------------------------------------------------------- generated: mnist1d


def test_mnist1d(mnist1d_dir, data_dir):
    _, first, untouched = mnist1d_dir
    assert untouched
    s = load_dataset("mnist1d")  # now from the cache
    assert s.x_train.shape == (4000, 40) and s.x_test.shape == (1000, 40)
    assert s.x_train.dtype == torch.float32 and s.y_train.dtype == torch.int64
    assert s.num_classes == 10 and s.feature_shape == (40,)
    assert torch.bincount(s.y_train, minlength=10).min() > 300
    assert torch.equal(s.x_train, first.x_train) and torch.equal(s.y_test, first.y_test)
    cached = data_dir / "mnist1d.npz"
    assert sha256_file(cached) == registry()["mnist1d"]["sha256"]
    assert cached.stat().st_size == registry()["mnist1d"]["size"]
    assert [p.name for p in data_dir.iterdir()] == ["mnist1d.npz"]  # no temp files left behind
    assert cached.stat().st_mode & 0o044 == 0o044  # readable by other grading users
    with np.load(cached) as npz:
        assert npz.files == ["x", "y", "x_test", "y_test", "t"]


def test_mnist1d_has_a_fixed_split(data_dir):
    with pytest.raises(ValueError, match="fixed"):
        load_dataset("mnist1d", test_fraction=0.5)


def test_corrupt_cache_is_an_error_not_a_silent_regeneration(mnist1d_dir, tmp_path, monkeypatch):
    shutil.copy(mnist1d_dir[0] / "mnist1d.npz", tmp_path / "mnist1d.npz")
    path = tmp_path / "mnist1d.npz"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    actual = hashlib.sha256(bytes(raw)).hexdigest()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetError) as info:
        load_dataset("mnist1d")
    msg = str(info.value)
    assert str(path) in msg and registry()["mnist1d"]["sha256"] in msg and actual in msg
    assert "Delete it" in msg
    assert path.read_bytes() == bytes(raw)  # left as it was for the user to inspect
    with pytest.raises(DatasetError, match="verification failed"):
        verify_all()


def test_verify_all(data_dir):
    status = verify_all()
    assert status == {
        "digits": "ok",
        "breast_cancer": "ok",
        "diabetes": "ok",
        "mnist1d": "ok",
        "cifar10": "absent",
    }


def test_verify_all_reports_ungenerated(empty_dir):
    assert verify_all(["mnist1d", "digits"]) == {"mnist1d": "not generated", "digits": "ok"}
    assert list(empty_dir.iterdir()) == []


# --------------------------------------------------------------------------- local files


def test_missing_local_file_says_what_to_do(empty_dir):
    with pytest.raises(DatasetError) as info:
        load_dataset("cifar10")
    msg = str(info.value)
    assert "cifar-10-python.tar.gz" in msg and str(empty_dir / "cifar-10-python.tar.gz") in msg
    assert "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz" in msg and "place it at" in msg
    assert registry()["cifar10"]["sha256"] in msg


def _fake_cifar(path, per_batch: int = 2) -> None:
    rng = np.random.default_rng(0)
    with tarfile.open(path, "w:gz") as tar:
        for member in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            batch = {
                b"data": rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8),
                b"labels": rng.integers(0, 10, size=per_batch).tolist(),
            }
            blob = pickle.dumps(batch)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{member}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))


def test_local_file_is_verified_and_read(tmp_path, monkeypatch):
    archive = tmp_path / "cifar-10-python.tar.gz"
    _fake_cifar(archive)
    doc = json.loads(course_data.registry_path().read_text())
    (entry,) = [e for e in doc["datasets"] if e["name"] == "cifar10"]
    entry["sha256"], entry["size"] = sha256_file(archive), os.path.getsize(archive)
    reg = tmp_path / "registry.json"
    reg.write_text(json.dumps(doc))
    monkeypatch.setenv("COURSE_REGISTRY", str(reg))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    s = load_dataset("cifar10")
    assert s.x_train.shape == (10, 3, 32, 32) and s.x_test.shape == (2, 3, 32, 32)
    assert s.feature_shape == (3, 32, 32) and s.num_classes == 10
    assert s.x_train.dtype == torch.float32 and 0.0 <= float(s.x_train.min()) and float(s.x_train.max()) <= 1.0
    assert verify_all(["cifar10"]) == {"cifar10": "ok"}

    archive.write_bytes(archive.read_bytes() + b"junk")
    with pytest.raises(DatasetError, match="Download it again") as info:
        load_dataset("cifar10")
    assert entry["sha256"] in str(info.value) and sha256_file(archive) in str(info.value)
