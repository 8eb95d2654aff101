"""Offline datasets for the notebooks, checked against ``datasets/registry.json``.

Nothing is downloaded or generated at run time. Two kinds of data:

- ``shipped``: small files made once by a maintainer (``scripts/make_datasets.py``) and committed next to the
  registry, checked against its sha256 on every load: mnist1d (``split: fixed``, its own train/test arrays) and
  scikit-learn's digits, breast_cancer and diabetes (``split: random``: the raw table, split and scaled here).
  Not regenerated at run time because generated floating-point data differs between CPUs (numpy dispatches to
  the widest SIMD the CPU has: AVX-512 and AVX2 give different last bits for the same mnist1d generation) and
  scikit-learn's bundled copies differ between its versions; a student's other numpy or scikit-learn loads
  the same bytes;
- ``local``: larger sets (CIFAR-10) the instructor places in the cache directory by hand; checked by sha256 and
  reported with a clear message when absent.

The registry is ``$COURSE_REGISTRY`` if set, else ``<repo>/datasets/registry.json``; shipped files sit beside it.
The cache directory for local files is ``$COURSE_DATA_DIR`` if set, else ``<repo>/datasets/cache`` when the
package sits in the repository, else ``~/.cache/course-lab``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

__all__ = [
    "DatasetError",
    "Splits",
    "cache_dir",
    "load_dataset",
    "registry",
    "registry_path",
    "sha256_file",
    "verify_all",
]

_REPO_DATASETS = Path(__file__).resolve().parents[1] / "datasets"
_USER_CACHE = Path.home() / ".cache" / "course-lab"


class DatasetError(RuntimeError):
    """A dataset cannot be loaded as registered: unknown name, missing local file, or a sha256 mismatch."""


@dataclass(frozen=True, eq=False)
class Splits:
    """Train and test tensors of one dataset: ``x`` float32; ``y`` int64 (classification) or float32 (regression)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    name: str
    num_classes: int | None
    feature_shape: tuple[int, ...]

    def __repr__(self) -> str:
        return (
            f"Splits(name={self.name!r}, train={tuple(self.x_train.shape)}, test={tuple(self.x_test.shape)}, "
            f"num_classes={self.num_classes}, feature_shape={self.feature_shape})"
        )


# --------------------------------------------------------------------------- locations and registry


def registry_path() -> Path:
    """Where the registry is read from (``$COURSE_REGISTRY`` overrides the repository's copy)."""
    env = os.environ.get("COURSE_REGISTRY")
    return Path(env) if env else _REPO_DATASETS / "registry.json"


def cache_dir() -> Path:
    """Where instructors place ``local`` files (large sets that are not shipped)."""
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        return Path(env)
    if (_REPO_DATASETS / "registry.json").exists():
        return _REPO_DATASETS / "cache"
    return _USER_CACHE


def registry() -> dict[str, dict[str, Any]]:
    """The registered datasets, by name (each entry: name, kind, file, sha256, size, source, licence, ...)."""
    path = registry_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(
            f"dataset registry not found at {path}; run from the course repository or set COURSE_REGISTRY to the "
            "path of datasets/registry.json"
        ) from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"dataset registry {path} is not valid JSON: {exc}") from None
    return {entry["name"]: entry for entry in doc["datasets"]}


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The hex sha256 of a file, read in chunks (large local archives do not fill memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(name: str) -> dict[str, Any]:
    entries = registry()
    if name not in entries:
        known = ", ".join(sorted(entries))
        raise DatasetError(f"unknown dataset {name!r}; known datasets: {known}")
    return entries[name]


# --------------------------------------------------------------------------- raw sources


def _shipped_bytes(entry: dict[str, Any]) -> bytes:
    """The bytes of a file shipped beside the registry, verified against its sha256 (read once, then hashed and
    parsed from memory, so what is checked is what is loaded)."""
    path = registry_path().parent / entry["file"]
    fix = (
        f"It is part of the course, never made at run time: restore it (in the course repository `git checkout -- "
        f"datasets/{entry['file']}`; elsewhere copy datasets/{entry['file']} from a fresh student bundle). A "
        "maintainer who means to change it remakes it with scripts/make_datasets.py, which updates the registry."
    )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"shipped data file {path} for dataset {entry['name']!r} is missing. {fix}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != entry.get("sha256"):
        raise DatasetError(
            f"shipped data file {path} for dataset {entry['name']!r} was changed or damaged: sha256 expected "
            f"{entry.get('sha256')}, actual {actual}. {fix}"
        )
    return data


def _shipped_arrays(entry: dict[str, Any]) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(_shipped_bytes(entry)), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _local_path(entry: dict[str, Any]) -> Path:
    """The verified path of a ``local`` file; a clear error says where to put it when it is absent or wrong."""
    path = cache_dir() / entry["file"]
    expected = entry.get("sha256")
    where = f"{entry.get('url') or entry.get('source')}"
    size = f", {entry['size']} bytes" if entry.get("size") else ""
    if not path.is_file():
        raise DatasetError(
            f"dataset {entry['name']!r} is not shipped with the course and {path} does not exist. Download "
            f"{entry['file']} from {where} (sha256 {expected or 'not recorded'}{size}) and place it at {path}, or "
            "set COURSE_DATA_DIR to the directory that holds it."
        )
    actual = sha256_file(path)
    if expected and actual != expected:
        raise DatasetError(
            f"local file {path} for dataset {entry['name']!r} does not match the registry: sha256 expected "
            f"{expected}, actual {actual}. Download it again from {where} and place it at {path}."
        )
    return path


def _read_cifar10_python(path: Path) -> dict[str, np.ndarray]:
    """CIFAR-10's official python archive (pickled batches; the file's sha256 was checked before we unpickle)."""
    import pickle

    def batch(tar: tarfile.TarFile, member: str) -> tuple[np.ndarray, np.ndarray]:
        fh = tar.extractfile(f"cifar-10-batches-py/{member}")
        if fh is None:
            raise DatasetError(f"{path} has no member cifar-10-batches-py/{member}")
        d = pickle.load(fh, encoding="bytes")  # noqa: S301 - sha256-verified official file
        x = np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        return x, np.asarray(d[b"labels"], dtype=np.int64)

    with tarfile.open(path, "r:gz") as tar:
        train = [batch(tar, f"data_batch_{i}") for i in range(1, 6)]
        x_test, y_test = batch(tar, "test_batch")
    return {
        "x": np.concatenate([b[0] for b in train]),
        "y": np.concatenate([b[1] for b in train]),
        "x_test": x_test,
        "y_test": y_test,
    }


_LOCAL_READERS: dict[str, Callable[[Path], dict[str, np.ndarray]]] = {"cifar10-python": _read_cifar10_python}


# --------------------------------------------------------------------------- splits and preprocessing


def _split(n: int, test_fraction: float, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed-seed permutation: the first ``round(n * test_fraction)`` indices are the test set."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    n_test = int(round(n * test_fraction))
    if not 0 < n_test < n:
        raise ValueError(f"test_fraction {test_fraction} leaves an empty train or test split of {n} samples")
    perm = np.random.default_rng(split_seed).permutation(n)
    return perm[n_test:], perm[:n_test]


def _standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale by the *train* split's mean and std only, so nothing about the test set leaks into training."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (train - mean) / std, (test - mean) / std


_FIXED_SPLIT_DEFAULTS = (0.25, 0)


def _tensors(
    name: str,
    entry: dict[str, Any],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
) -> Splits:
    import torch  # here, not at the top: importing `course` costs no torch (course/seeding.py says why)

    num_classes = entry.get("num_classes")
    y_dtype = torch.int64 if num_classes else torch.float32
    return Splits(
        x_train=torch.as_tensor(np.ascontiguousarray(x_train), dtype=torch.float32),
        y_train=torch.as_tensor(np.ascontiguousarray(y_train)).to(y_dtype),
        x_test=torch.as_tensor(np.ascontiguousarray(x_test), dtype=torch.float32),
        y_test=torch.as_tensor(np.ascontiguousarray(y_test)).to(y_dtype),
        name=name,
        num_classes=int(num_classes) if num_classes else None,
        feature_shape=tuple(int(d) for d in x_train.shape[1:]),
    )


def load_dataset(name: str, *, test_fraction: float = 0.25, split_seed: int = 0) -> Splits:
    """Load a registered dataset as float32 features and int64 labels (float32 targets for regression).

    - ``digits``: 1797 8x8 images flattened to 64 features, pixels scaled to [0, 1] (divided by 16); 10 classes.
    - ``breast_cancer``: 569 x 30, standardized with the train split's mean and std; 2 classes.
    - ``diabetes``: 442 x 10 regression; features *and* target standardized with the train split's statistics.
    - ``mnist1d``: 4000 train / 1000 test x 40 (its own fixed split); 10 classes.
    - ``cifar10`` (local file, not shipped): 50000 / 10000 x (3, 32, 32) in [0, 1]; 10 classes.

    ``test_fraction`` and ``split_seed`` choose the random split of the datasets that have no official one; the
    same arguments always give the same split. Datasets with a fixed split reject non-default values.
    Raises ``DatasetError`` for an unknown name, a missing local file or any sha256 mismatch.
    """
    entry = _entry(name)
    kind = entry["kind"]
    arrays = _shipped_arrays(entry) if kind == "shipped" else {}
    if kind == "shipped" and entry.get("split") == "random":
        x, y = arrays["x"], arrays["y"]
        train, test = _split(len(x), test_fraction, split_seed)
        x_train, x_test = x[train].astype(np.float64), x[test].astype(np.float64)
        y_train, y_test = y[train], y[test]
        if name == "digits":
            x_train, x_test = x_train / 16.0, x_test / 16.0
        else:
            x_train, x_test = _standardize(x_train, x_test)
        if not entry.get("num_classes"):  # regression target: standardized like the features
            y_train, y_test = _standardize(y_train.astype(np.float64), y_test.astype(np.float64))
        return _tensors(name, entry, x_train, y_train, x_test, y_test)

    if (test_fraction, split_seed) != _FIXED_SPLIT_DEFAULTS:
        raise ValueError(f"dataset {name!r} has a fixed train/test split; do not pass test_fraction or split_seed")
    if kind == "shipped":
        return _tensors(name, entry, arrays["x"], arrays["y"], arrays["x_test"], arrays["y_test"])
    if kind == "local":
        fmt = entry.get("format")
        if fmt not in _LOCAL_READERS:
            raise DatasetError(f"dataset {name!r} has unknown format {fmt!r}; known: {', '.join(_LOCAL_READERS)}")
        arrays = _LOCAL_READERS[fmt](_local_path(entry))
        scale = float(entry.get("scale", 1.0))
        return _tensors(name, entry, arrays["x"] / scale, arrays["y"], arrays["x_test"] / scale, arrays["y_test"])
    raise DatasetError(f"dataset {name!r} has unknown kind {kind!r} in {registry_path()}")


def verify_all(names: Iterable[str] | None = None) -> dict[str, str]:
    """Check every registered dataset that is available here against its sha256.

    Returns ``{name: status}`` with status ``"ok"`` or ``"absent"`` (a local file not placed). Raises one
    ``DatasetError`` listing every mismatch and every missing shipped file.
    """
    entries = registry()
    selected = list(entries) if names is None else list(names)
    status: dict[str, str] = {}
    problems: list[str] = []
    for name in selected:
        entry = _entry(name) if name not in entries else entries[name]
        kind = entry["kind"]
        try:
            if kind == "shipped":
                _shipped_bytes(entry)
            elif kind == "local":
                if not (cache_dir() / entry["file"]).is_file():
                    status[name] = "absent"
                    continue
                _local_path(entry)
            else:
                raise DatasetError(f"dataset {name!r} has unknown kind {kind!r}")
        except DatasetError as exc:
            problems.append(str(exc))
            status[name] = "mismatch"
            continue
        status[name] = "ok"
    if problems:
        raise DatasetError("dataset verification failed:\n" + "\n".join(problems))
    return status
