"""Maintainer command: remake the data files the course ships (``datasets/*.npz``: mnist1d, digits,
breast_cancer, diabetes).

    python scripts/make_datasets.py            # regenerate, compare with the shipped file, change nothing
    python scripts/make_datasets.py --write    # replace the shipped file and its registry entry (sha256, size)

Students and the grader never run this: they load the shipped bytes (``course.data``), because floating-point data
computed at run time depends on the CPU (numpy dispatches to the widest SIMD it finds, and AVX-512 and AVX2 give
different last bits for mnist1d's normalisation), and scikit-learn's bundled copies change between its versions
(``load_diabetes(scaled=False)`` of scikit-learn 1.6.1 differs from the pinned one's). To make a rebuild
reproducible on any x86-64 machine, the generator runs in a child process with every numpy SIMD dispatch target
switched off (``NPY_DISABLE_CPU_FEATURES``), so it computes with numpy's baseline instructions only. Needs the
pinned stack (``mnist1d`` is a dev dependency; scikit-learn the pinned one).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "datasets"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the file's bytes depend only on the arrays
TOLERANCE = 1e-12  # what a CPU's last-bit differences may move a value of these unit-variance signals


def narrow_simd_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with every numpy SIMD dispatch target this CPU has switched off."""
    found = np.show_config(mode="dicts")["SIMD Extensions"]["found"]
    return {**(os.environ if env is None else env), "NPY_DISABLE_CPU_FEATURES": " ".join(found)}


def npz_bytes(arrays: dict[str, np.ndarray], compress: bool = False) -> bytes:
    """A ``.npz`` (``np.load`` reads it) with fixed member order and timestamps. mnist1d is stored uncompressed
    (float64 noise shrinks by 6%); the scikit-learn tables, mostly small integers as float64, are deflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as zf:
        for key, arr in arrays.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=_ZIP_DATE)
            info.compress_type = zf.compression  # a ZipInfo is stored uncompressed unless told
            with zf.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getvalue()


def make_mnist1d() -> dict[str, np.ndarray]:
    """mnist1d's default 4000/1000 set, made locally (``get_dataset`` would download it)."""
    import mnist1d.data

    # make_dataset seeds `random` and numpy's global state itself (seed 42); this runs in a child process of its own
    ds = mnist1d.data.make_dataset(mnist1d.data.get_dataset_args())
    return {
        "x": np.asarray(ds["x"], dtype=np.float64),
        "y": np.asarray(ds["y"], dtype=np.int64),
        "x_test": np.asarray(ds["x_test"], dtype=np.float64),
        "y_test": np.asarray(ds["y_test"], dtype=np.int64),
        "t": np.asarray(ds["t"], dtype=np.float64),
    }


def make_sklearn(name: str) -> dict[str, np.ndarray]:
    """The raw table as the pinned scikit-learn returns it: ``x`` float64, ``y`` int64 labels or float64 targets
    (``course.data`` splits, scales and standardizes it)."""
    from sklearn import datasets

    loaders = {
        "digits": datasets.load_digits,
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": lambda: datasets.load_diabetes(scaled=False),  # raw values: standardized with the train split
    }
    bunch = loaders[name]()
    y = np.asarray(bunch.target)
    return {
        "x": np.asarray(bunch.data, dtype=np.float64),
        "y": y.astype(np.float64 if np.issubdtype(y.dtype, np.floating) else np.int64),
    }


GENERATORS = {
    "mnist1d": make_mnist1d,
    "digits": lambda: make_sklearn("digits"),
    "breast_cancer": lambda: make_sklearn("breast_cancer"),
    "diabetes": lambda: make_sklearn("diabetes"),
}
COMPRESSED = {"digits", "breast_cancer", "diabetes"}


def generate(name: str) -> bytes:
    """The file's bytes, computed in a child process under the narrowest SIMD dispatch."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import make_datasets as m; "
    code += f"sys.stdout.buffer.write(m.npz_bytes(m.GENERATORS[{name!r}](), {name in COMPRESSED}))"
    return subprocess.run([sys.executable, "-c", code], env=narrow_simd_env(), capture_output=True, check=True).stdout


def compare(shipped: bytes, fresh: bytes) -> tuple[bool, float]:
    """(same keys, shapes and dtypes, and values within TOLERANCE; the largest absolute difference)."""
    with np.load(io.BytesIO(shipped)) as a, np.load(io.BytesIO(fresh)) as b:
        if sorted(a.files) != sorted(b.files):
            return False, float("inf")
        worst = 0.0
        for key in a.files:
            if a[key].shape != b[key].shape or a[key].dtype != b[key].dtype:
                return False, float("inf")
            worst = max(worst, float(np.max(np.abs(a[key] - b[key]), initial=0.0)))
    return worst <= TOLERANCE, worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", default=sorted(GENERATORS), help="datasets to remake (default: all)")
    parser.add_argument("--write", action="store_true", help="replace the shipped file and its registry entry")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(GENERATORS))
    if unknown:
        parser.exit(2, f"make_datasets.py: no generator for {', '.join(unknown)}; known: {', '.join(GENERATORS)}\n")
    registry_path = DATASETS / "registry.json"
    doc = json.loads(registry_path.read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in doc["datasets"]}
    ok = True
    for name in args.names:
        entry, fresh = entries[name], generate(name)
        path = DATASETS / entry["file"]
        digest = hashlib.sha256(fresh).hexdigest()
        if args.write:
            path.write_bytes(fresh)
            entry["sha256"], entry["size"] = digest, len(fresh)
            print(f"{path.relative_to(REPO)}: written, sha256 {digest}, {len(fresh)} bytes")
            continue
        if not path.exists():
            print(f"{path.relative_to(REPO)}: not shipped yet (--write makes it)")
            ok = False
            continue
        shipped = path.read_bytes()
        close, worst = compare(shipped, fresh)
        same = "identical bytes" if shipped == fresh else f"bytes differ, max |difference| {worst:.3g}"
        print(f"{path.relative_to(REPO)}: {same}; {'within' if close else 'OUTSIDE'} tolerance {TOLERANCE:g}")
        ok &= close
    if args.write:
        registry_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
