"""Datasets load offline with fixed shapes, dtypes and splits, and every file is checked against the registry."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pytest
import torch

from autograder.core.course_dir import REPO_ROOT
from course import DatasetError, Splits, load_dataset
from course import data as course_data
from course.data import registry, sha256_file, verify_all

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import make_datasets  # noqa: E402
from make_datasets import narrow_simd_env  # noqa: E402

REQUIRED_FIELDS = {"name", "kind", "file", "sha256", "size", "source", "licence", "description"}


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
        assert entry["kind"] in ("shipped", "local")
        assert isinstance(entry["sha256"], str) and len(entry["sha256"]) == 64, name
        int(entry["sha256"], 16)
        assert isinstance(entry["size"], int) and entry["size"] > 0
        assert entry["file"], name
        if entry["kind"] == "shipped":
            assert entry["split"] in ("fixed", "random"), name


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


# --------------------------------------------------------------------------- scikit-learn's sets, shipped


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


def test_no_library_is_imported_to_load_the_data():
    """The shipped files are the data: another scikit-learn (whose bundled diabetes differs) or no mnist1d at all
    loads the same arrays."""
    probe = (
        "import sys; from course.data import load_dataset\n"
        "for name in ('digits', 'breast_cancer', 'diabetes', 'mnist1d'): load_dataset(name)\n"
        "print(sorted(sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "'sklearn'" not in loaded and "'mnist1d'" not in loaded


def test_splits_are_frozen():
    s = load_dataset("diabetes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]
    assert "diabetes" in repr(s) and "(332, 10)" in repr(s)


# --------------------------------------------------------------------------- shipped: mnist1d


def test_mnist1d_loads_the_shipped_file():
    before = np.random.get_state()[1].copy()
    s = load_dataset("mnist1d")
    assert np.array_equal(np.random.get_state()[1], before)  # nor is the caller's global numpy state touched
    assert s.x_train.shape == (4000, 40) and s.x_test.shape == (1000, 40)
    assert s.x_train.dtype == torch.float32 and s.y_train.dtype == torch.int64
    assert s.num_classes == 10 and s.feature_shape == (40,)
    assert torch.bincount(s.y_train, minlength=10).min() > 300
    shipped = course_data.registry_path().parent / "mnist1d.npz"
    assert sha256_file(shipped) == registry()["mnist1d"]["sha256"]
    assert shipped.stat().st_size == registry()["mnist1d"]["size"]
    with np.load(shipped) as npz:
        assert npz.files == ["x", "y", "x_test", "y_test", "t"]
        assert np.array_equal(npz["x"].astype(np.float32), s.x_train.numpy())


def test_mnist1d_has_a_fixed_split():
    with pytest.raises(ValueError, match="fixed"):
        load_dataset("mnist1d", test_fraction=0.5)


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """The registry and the shipped files copied to a folder of the test's own, registry pointed there."""
    for path in [course_data.registry_path(), *course_data.registry_path().parent.glob("*.npz")]:
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("COURSE_REGISTRY", str(tmp_path / "registry.json"))
    return tmp_path / "mnist1d.npz"


def test_a_changed_shipped_file_names_itself_and_the_fix(shipped_copy):
    raw = bytearray(shipped_copy.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    shipped_copy.write_bytes(bytes(raw))
    with pytest.raises(DatasetError) as info:
        load_dataset("mnist1d")
    msg = str(info.value)
    actual = hashlib.sha256(bytes(raw)).hexdigest()
    assert str(shipped_copy) in msg and registry()["mnist1d"]["sha256"] in msg and actual in msg
    assert "git checkout -- datasets/mnist1d.npz" in msg and "student bundle" in msg
    assert "install" not in msg  # the old advice (install the pinned versions) sent users the wrong way
    assert shipped_copy.read_bytes() == bytes(raw)  # left as it was for the user to inspect
    with pytest.raises(DatasetError, match="verification failed") as info:
        verify_all()
    assert str(info.value).count("sha256 expected") == 1  # only the changed file is named


def test_a_missing_shipped_file_says_what_to_do(shipped_copy):
    shipped_copy.unlink()
    with pytest.raises(DatasetError, match=r"mnist1d.npz for dataset 'mnist1d' is missing.*restore it"):
        load_dataset("mnist1d")


def test_verify_all(empty_dir):
    status = verify_all()
    assert status == {
        "digits": "ok",
        "breast_cancer": "ok",
        "diabetes": "ok",
        "mnist1d": "ok",
        "cifar10": "absent",
    }
    assert list(empty_dir.iterdir()) == []  # verifying writes nothing


# --------------------------------------------------------------------------- the same data on every CPU

# Each dataset as the notebooks get it (float32 tensors after splitting and standardizing): sha256 of the tensors.
_DIGEST_ALL = """
import hashlib, json
from course.data import load_dataset, registry, verify_all
out = {"verify": verify_all()}
for name, entry in registry().items():
    if entry["kind"] != "local":
        s = load_dataset(name)
        h = hashlib.sha256()
        for t in (s.x_train, s.y_train, s.x_test, s.y_test):
            h.update(t.numpy().tobytes())
        out[name] = h.hexdigest()
print(json.dumps(out))
"""


def test_datasets_are_identical_under_every_simd_dispatch():
    """numpy picks its SIMD kernels at run time (AVX-512 where the CPU has it); data generated at run time used to
    differ between CPUs. With every dispatch target off, numpy runs its baseline kernels: the loaded arrays must be
    bit for bit the same as with the default dispatch (and both pass the registry's checks)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_REGISTRY", "COURSE_DATA_DIR")}
    narrow = narrow_simd_env(env)
    assert narrow["NPY_DISABLE_CPU_FEATURES"], "numpy dispatches nothing beyond its baseline here: nothing to compare"
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", _DIGEST_ALL], env=e, capture_output=True, text=True, check=True
            ).stdout
        )
        for e in ({**env, "NPY_DISABLE_CPU_FEATURES": ""}, narrow)
    ]
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"verify", "digits", "breast_cancer", "diabetes", "mnist1d"}


def test_the_maintainer_command_remakes_the_shipped_file():
    """scripts/make_datasets.py regenerates mnist1d (narrowest dispatch) and finds it equal to the shipped file."""
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "make_datasets.py")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "datasets/mnist1d.npz:" in result.stdout and "within tolerance" in result.stdout


def test_the_maintainer_command_catches_a_different_file(tmp_path):
    fresh = make_datasets.npz_bytes({"x": np.zeros((2, 3)), "y": np.arange(2)})
    close = make_datasets.npz_bytes({"x": np.full((2, 3), 1e-14), "y": np.arange(2)})
    far = make_datasets.npz_bytes({"x": np.full((2, 3), 1e-6), "y": np.arange(2)})
    other_dtype = make_datasets.npz_bytes({"x": np.zeros((2, 3), np.float32), "y": np.arange(2)})
    assert make_datasets.npz_bytes({"x": np.zeros((2, 3)), "y": np.arange(2)}) == fresh  # fixed timestamps
    assert make_datasets.compare(fresh, close) == (True, 1e-14)
    assert make_datasets.compare(fresh, far)[0] is False
    assert make_datasets.compare(fresh, other_dtype)[0] is False


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
