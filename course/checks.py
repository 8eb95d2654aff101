"""The checking API used by every test cell.

A check has a stable id (``"adam/bias_correction"``), compares the *exact* type first (a subclass or an object
with a lying ``__eq__`` is rejected), then the shape (and dtype), then the values, and raises ``CheckFailure``
with a message that names the case, the expected and the obtained value and by how much they differ.

Every check also records what it compared as plain data (numbers, strings, nested lists; never pickle) in
``RECORDS`` and, when the environment variable ``COURSE_CHECK_LOG`` names a file, appends it there as one strict
JSON line. The grader can then re-check the values outside the student's process with ``compare`` on the
records (``compare(got, expected, rtol, atol, plain=True)``, or ``recheck(record)`` which also handles the
within/true/raises kinds); ``from_plain`` turns them back into arrays.

The comparison never calls a method of the student's object before its exact type is known to be one of ours
(float, int, bool, str, None, numpy scalar, numeric numpy array, torch tensor, list/tuple of those), so a hostile
object cannot answer for itself.

Plain forms (what ``to_plain`` returns):

- ``bool``, ``int``, ``None``, finite ``float``, ``str``: themselves (a ``str`` that reads ``"nan"``, ``"inf"`` or
  ``"-inf"`` becomes ``{"__str__": s}``);
- non-finite ``float``: the strings ``"nan"``, ``"inf"``, ``"-inf"`` (JSON has no NaN);
- numpy scalar: ``{"__numpy__": "numpy.float64", "dtype": "float64", "value": ...}``;
- array or tensor: ``{"__array__": "ndarray" | "Tensor", "dtype": ..., "shape": [...], "data": [...]}`` with
  ``data`` flat in C order (complex entries as ``[re, im]``);
- list/tuple: ``{"__seq__": "list" | "tuple", "items": [...]}``;
- anything else: ``{"__foreign__": "module.QualName"}`` (never compared by value).
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

__all__ = [
    "LOG_ENV",
    "CheckFailure",
    "CheckRecord",
    "RECORDS",
    "check_close",
    "check_equal",
    "check_raises",
    "check_true",
    "check_within",
    "compare",
    "expected",
    "judge_withheld",
    "WITHHELD",
    "ExpectedWithheld",
    "from_plain",
    "recheck",
    "to_plain",
]

LOG_ENV = "COURSE_CHECK_LOG"

_SCALARS = (bool, int, float, str, type(None))
_NONFINITE = ("nan", "inf", "-inf")
_NUMPY_SCALARS = frozenset(
    t for t in np.sctypeDict.values() if issubclass(t, (np.bool_, np.number)) and not issubclass(t, np.timedelta64)
)
_NUMERIC_KINDS = "biufc"  # numpy dtype kinds whose values we compare (object arrays could hold liars)


class CheckFailure(AssertionError):
    """A check did not pass; the message says which case, expected vs got, and by how much."""


# --------------------------------------------------------------------------- the expected side while grading
#
# While a notebook is graded, no expected value may exist in the student's process (their interpreter is
# theirs: AST transformers, frame inspection or patched modules could copy it into the "got" side). So the
# grader rewrites every test cell before it runs (autograder/trust/withhold.py): the expected argument of each check
# (and of each ``compare_*`` helper), and every ``expected(...)`` expression, become ``WITHHELD`` without being
# evaluated. A check given ``WITHHELD`` only records what the student's code returned; the grader compares it,
# outside, with the expected value of the reference run (a sandbox with no student code).


class ExpectedWithheld(RuntimeError):
    """Test code used an expected value while grading: the author must mark that computation ``expected(...)``."""


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise ExpectedWithheld(
        "a test used the expected side of a check while grading; wrap that computation in expected(...) "
        "(course.checks) so the grader can leave it out"
    )


class Withheld:
    """Stands for a withheld expected value: every use of it raises ``ExpectedWithheld`` (so a test that still
    needs the expected side fails loudly in ``validate`` instead of silently computing it)."""

    __slots__ = ()
    __getattr__ = __getitem__ = __setitem__ = __call__ = __iter__ = __len__ = __bool__ = __index__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _refuse
    __matmul__ = __rmatmul__ = __pow__ = __rpow__ = __neg__ = __abs__ = __float__ = __int__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __format__ = __str__ = _refuse  # type: ignore[assignment]
    __array__ = __torch_function__ = _refuse
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "WITHHELD"


WITHHELD = Withheld()


def expected(value: Any) -> Any:
    """Marks the expected side of a test (``ref = expected(torch_version(x))``). In a student's lab it is the
    identity; while grading the whole call is replaced by ``WITHHELD`` before the cell runs, so ``value`` is
    never computed in the student's process."""
    return value


@dataclass
class CheckRecord:
    """One comparison, as plain data."""

    id: str
    case: str
    kind: str
    passed: bool
    message: str
    got: Any = None
    expected: Any = None
    tolerance: dict[str, float | str] = field(default_factory=dict)
    # True when the test computed ``expected`` from the student's own output (e.g. the mask their dropout drew):
    # the grader then re-checks got against this record's expected instead of the reference run's
    depends_on_answer: bool = False
    hint: str = ""  # kept so the grader can word a failure outside the kernel exactly as the check would
    note: str = ""  # check_within's ``why`` (the bound it states)
    withheld: bool = False  # recorded while grading: got only, the expected side never ran in this process

    def as_dict(self) -> dict[str, Any]:
        # shallow on purpose: the values are to_plain's fresh data already, and dataclasses.asdict deep-copies every
        # list (05's dropout records hold 1.5M floats: 3.5 s of each notebook's 9 s)
        return {f.name: getattr(self, f.name) for f in fields(self)}


RECORDS: list[CheckRecord] = []


# --------------------------------------------------------------------------- plain data


def _torch() -> Any:
    # torch as already imported by whoever made a tensor, else None: nothing can be a tensor then. Not imported here,
    # so a kernel whose notebook makes no tensor is spared its ~1.5 s (the grader re-checks records without it)
    return sys.modules.get("torch")


def _is_tensor(x: Any) -> bool:
    torch = _torch()
    return torch is not None and type(x) is torch.Tensor


def _kind(x: Any) -> str:
    """The exact type of ``x`` as a short name; subclasses get their own (foreign) name."""
    t = type(x)
    if t in _SCALARS:
        return t.__name__ if x is not None else "None"
    if t is np.ndarray:
        return "ndarray"
    if _is_tensor(x):
        return "Tensor"
    if t in (list, tuple):
        return t.__name__
    if t in _NUMPY_SCALARS:
        return "numpy." + t.__name__
    try:  # a hostile metaclass must not crash the check
        return f"{t.__module__}.{t.__qualname__}"
    except Exception:
        return "unknown"


_OURS = ("bool", "int", "float", "str", "None", "ndarray", "Tensor", "list", "tuple")


def _is_ours(kind: str) -> bool:
    return kind in _OURS or any(kind == "numpy." + t.__name__ for t in _NUMPY_SCALARS)


def _tensor_dtype(x: Any) -> str:
    return str(x.dtype).removeprefix("torch.")


def _tensor_to_numpy(x: Any) -> np.ndarray:
    # exact torch.Tensor only (checked by the caller); detach and move without trusting overrides
    torch = _torch()
    t = x.detach().resolve_conj().resolve_neg().cpu()
    if t.layout != torch.strided:
        t = t.to_dense()
    try:
        return t.numpy()
    except TypeError:  # bfloat16, float8, ...: no numpy twin; compare the values in float64
        return t.to(torch.float64 if t.is_floating_point() else torch.int64).numpy()


def _float_plain(v: float) -> float | str:
    # JSON has no NaN/inf; keep them as strings so the log is strict JSON
    if math.isnan(v) or math.isinf(v):
        return repr(v)
    return v


def _array_data(arr: np.ndarray) -> list[Any]:
    if arr.dtype.kind == "c":
        z = arr.astype(np.complex128).ravel()
        return [[_float_plain(float(v.real)), _float_plain(float(v.imag))] for v in z]
    if arr.dtype.kind == "f":
        flat = arr.astype(np.float64).ravel()
        if np.isfinite(flat).all():
            return flat.tolist()
        return [_float_plain(v) for v in flat.tolist()]
    if arr.dtype.kind in "biu":
        return arr.ravel().tolist()
    return []  # object/str/... arrays: the dtype says enough, values are never compared


def to_plain(x: Any) -> Any:
    """``x`` as JSON-ready data; arrays keep dtype and shape so ``from_plain`` restores them."""
    k = _kind(x)
    if k in ("bool", "int", "None"):
        return x
    if k == "str":
        return {"__str__": x} if x in _NONFINITE else x
    if k == "float":
        return _float_plain(x)
    if k.startswith("numpy."):
        arr = np.asarray(x)
        return {"__numpy__": k, "dtype": str(arr.dtype), "value": _array_data(arr.reshape(1))[0]}
    if k in ("ndarray", "Tensor"):
        arr = _tensor_to_numpy(x) if k == "Tensor" else x
        dtype = _tensor_dtype(x) if k == "Tensor" else str(arr.dtype)
        return {"__array__": k, "dtype": dtype, "shape": list(arr.shape), "data": _array_data(arr)}
    if k in ("list", "tuple"):
        return {"__seq__": k, "items": [to_plain(v) for v in x]}
    return {"__foreign__": k}


def _plain_float(v: Any) -> Any:
    return float(v) if isinstance(v, str) else v


def _container_dtype(name: str) -> np.dtype:
    try:
        dt = np.dtype(name)
    except TypeError:  # bfloat16 & co: values were written in float64
        return np.dtype(np.float64)
    return dt if dt.kind in _NUMERIC_KINDS else np.dtype(object)


def _plain_array(dtype: str, shape: Sequence[int], data: list[Any]) -> np.ndarray:
    dt = _container_dtype(dtype)
    if dt.kind == "c":
        values: list[Any] = [complex(_plain_float(re), _plain_float(im)) for re, im in data]
    else:
        values = [_plain_float(v) for v in data]
    if dt.kind == "O":
        return np.empty(tuple(shape), dtype=object)
    return np.asarray(values, dtype=dt).reshape(tuple(shape))


def from_plain(d: Any) -> Any:
    """Inverse of ``to_plain`` for the value part: arrays come back as numpy arrays."""
    if isinstance(d, str) and d in _NONFINITE:
        return float(d)
    if not isinstance(d, dict):
        return d
    if "__str__" in d:
        return d["__str__"]
    if "__numpy__" in d:
        return _plain_array(d["dtype"], (), [d["value"]])[()]
    if "__array__" in d:
        return _plain_array(d["dtype"], d["shape"], d["data"])
    if "__seq__" in d:
        items = [from_plain(v) for v in d["items"]]
        return tuple(items) if d["__seq__"] == "tuple" else items
    return d


# --------------------------------------------------------------------------- decoding (live or plain)

# A decoded value is (kind, dtype name or None, value): value is a numpy array for arrays/floats/numpy scalars,
# a list of decoded values for list/tuple, the Python value for bool/int/str/None, and None for foreign objects.
_Decoded = tuple[str, "str | None", Any]


def _decode_live(x: Any) -> _Decoded:
    k = _kind(x)
    if k in ("bool", "int", "str", "None"):
        return k, None, x
    if k == "float":
        return k, "float64", np.asarray(x, dtype=np.float64)
    if k.startswith("numpy."):
        arr = np.asarray(x)
        return k, str(arr.dtype), arr
    if k == "ndarray":
        return k, str(x.dtype), x
    if k == "Tensor":
        return k, _tensor_dtype(x), _tensor_to_numpy(x)
    if k in ("list", "tuple"):
        return k, None, [_decode_live(v) for v in x]
    return k, None, None


def _decode_plain(x: Any) -> _Decoded:
    t = type(x)
    if x is None or t in (bool, int):
        return _kind(x), None, x
    if t is float:
        return "float", "float64", np.asarray(x, dtype=np.float64)
    if t is str:
        if x in _NONFINITE:
            return "float", "float64", np.asarray(float(x), dtype=np.float64)
        return "str", None, x
    if t is dict:
        if "__str__" in x:
            return "str", None, str(x["__str__"])
        if "__numpy__" in x:
            return str(x["__numpy__"]), str(x["dtype"]), _plain_array(x["dtype"], (), [x["value"]])
        if "__array__" in x:
            return str(x["__array__"]), str(x["dtype"]), _plain_array(x["dtype"], x["shape"], x["data"])
        if "__seq__" in x:
            return str(x["__seq__"]), None, [_decode_plain(v) for v in x["items"]]
        if "__foreign__" in x:
            return str(x["__foreign__"]), None, None
    return "malformed plain data", None, None


# --------------------------------------------------------------------------- comparison


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v)


def _fmt_pair(expected: Any, got: Any) -> tuple[str, str]:
    """Both values with the fewest significant digits, 6 at least, that tell them apart (never "expected
    -0.581251, got -0.581251")."""
    if not (isinstance(expected, float) and isinstance(got, float)):
        return _fmt(expected), _fmt(got)
    for digits in range(6, 18):
        style = ".6g" if digits == 6 else f"#.{digits}g"  # beyond 6 digits keep trailing zeros: same width
        e, g = format(expected, style), format(got, style)
        if e != g:
            return e, g
    return repr(expected), repr(got)


# float32 carries about 7 significant digits: a float64 answer off by about this much (and no more) was very
# likely computed in float32 somewhere (a tensor made without dtype=, a .float(), torch's default dtype)
_FLOAT32_REL = 4e-6


def _dtype_note(exp_dtype: str | None, rel: float) -> str:
    if exp_dtype != "float64" or not (0 < rel <= _FLOAT32_REL):
        return ""
    return (
        "; the error is the size of float32 rounding: was part of it computed in float32 (a tensor created "
        "without dtype=, .float(), torch's default dtype)?"
    )


_TYPE_HINTS = {
    ("float", "Tensor"): " (a Python float is asked for: .item() turns a 0-dim tensor into one)",
    ("Tensor", "float"): " (a tensor is asked for, not a Python number)",
}


def _compare_arrays(
    got: np.ndarray, exp: np.ndarray, got_dtype: str | None, exp_dtype: str | None, rtol: float, atol: float
) -> str | None:
    if got.shape != exp.shape:
        return f"shape: expected {tuple(exp.shape)}, got {tuple(got.shape)}"
    if got_dtype != exp_dtype:
        return f"dtype: expected {exp_dtype}, got {got_dtype}"
    if got.dtype.kind not in _NUMERIC_KINDS or exp.dtype.kind not in _NUMERIC_KINDS:
        return f"dtype: values of dtype {exp_dtype} cannot be compared (use a numeric dtype)"
    if exp.dtype.kind in "biu" and got.dtype.kind in "biu":
        bad = np.argwhere(got != exp)
        if len(bad):
            i = tuple(int(j) for j in bad[0])
            return (
                f"value{f' at index {i}' if exp.ndim else ''}: expected {exp[i].item()!r}, got {got[i].item()!r} "
                f"({len(bad)} of {exp.size} differ)"
            )
        return None
    wide = np.complex128 if "c" in (got.dtype.kind, exp.dtype.kind) else np.float64
    with np.errstate(all="ignore"):
        g, e = got.astype(wide), exp.astype(wide)
        g_nan, e_nan = np.isnan(g), np.isnan(e)
        special = g_nan | e_nan | np.isinf(g) | np.isinf(e)
        diff = np.abs(g - e)
        # NaN matches only NaN, an infinity only the same infinity; finite values within atol + rtol*|expected|
        same_special = (g_nan & e_nan) | (~g_nan & ~e_nan & (g == e))
        ok = np.where(special, same_special, diff <= atol + rtol * np.abs(e))
        if ok.all():
            return None
        bad_mask = ~ok
        err = np.where(bad_mask, np.where(special, np.inf, diff), 0.0)
        i = np.unravel_index(int(np.argmax(np.where(bad_mask, err, -1.0))), e.shape)
        i = tuple(int(j) for j in i)
        scale = float(np.abs(e[i]))
        rel = float(err[i]) / scale if scale > 0 and np.isfinite(scale) else math.inf
    where = f" at index {i}" if e.ndim else ""
    shown_exp, shown_got = _fmt_pair(exp[i].item(), got[i].item())
    return (
        f"value{where}: expected {shown_exp}, got {shown_got}; "
        f"abs error {float(err[i]):.3g}, rel error {rel:.3g} "
        f"(allowed: atol {atol:g} + rtol {rtol:g}*|expected|; {int(bad_mask.sum())} of {e.size} entries off)"
        + _dtype_note(exp_dtype, rel)
    )


def _compare_decoded(g: _Decoded, e: _Decoded, rtol: float, atol: float, live: bool) -> str | None:
    kg, dg, vg = g
    ke, de, ve = e
    if not _is_ours(ke):
        if live:  # the test's author passed something we cannot compare safely
            raise TypeError(
                f"check: the expected value has unsupported type {ke}; use float/int/bool/str/None, a numeric "
                "numpy array, a torch tensor, or a list/tuple of those (e.g. tuple(x.shape), float(x))"
            )
        return f"type: expected value of unsupported type {ke}"
    if kg != ke:
        return f"type: expected {ke}, got {kg}" + _TYPE_HINTS.get((ke, kg), "")
    if ke in ("list", "tuple"):
        if len(vg) != len(ve):
            return f"length: expected {len(ve)}, got {len(vg)}"
        for n, (gi, ei) in enumerate(zip(vg, ve, strict=True)):
            why = _compare_decoded(gi, ei, rtol, atol, live)
            if why:
                return f"item {n}: {why}"
        return None
    if ke in ("ndarray", "Tensor", "float") or ke.startswith("numpy."):
        return _compare_arrays(vg, ve, dg, de, rtol, atol)
    if vg != ve:  # exact scalar types of ours: bool, int, str, None
        return f"value: expected {_fmt(ve)}, got {_fmt(vg)}"
    return None


def _looks_plain(x: Any) -> bool:
    return type(x) is dict or (type(x) is str and x in _NONFINITE)


def compare(got: Any, expected: Any, rtol: float = 0.0, atol: float = 0.0, *, plain: bool | None = None) -> str | None:
    """``None`` when ``got`` matches ``expected``, else the reason: type, then shape/dtype, then value.

    Works on live values (exact types only) and on their ``to_plain`` forms, so the same rule serves the
    in-kernel check and the grader's out-of-process re-check. ``plain=None`` guesses the form from the values;
    the grader should say ``plain=True``. NaN matches NaN, an infinity only the same infinity.
    """
    if plain is None:
        plain = _looks_plain(expected) or _looks_plain(got)
    if plain:
        return _compare_decoded(_decode_plain(got), _decode_plain(expected), rtol, atol, live=False)
    return _compare_decoded(_decode_live(got), _decode_live(expected), rtol, atol, live=True)


def _within_reason(got_kind: str, got: Any, low: float, high: float, why: str = "") -> str | None:
    if got_kind != "float":
        return f"type: expected float, got {got_kind}"
    if not (low <= got <= high):
        return f"value {got:.6g} outside [{low:.6g}, {high:.6g}]" + (f" ({why})" if why else "")
    return None


def recheck(record: Mapping[str, Any] | CheckRecord) -> str | None:
    """Re-run one logged check on its plain data (out of the student's process): ``None`` if it passes.

    ``record`` is a ``CheckRecord`` or one parsed line of the ``COURSE_CHECK_LOG`` file.
    """
    rec = record.as_dict() if isinstance(record, CheckRecord) else record
    kind, got, expected, tol = rec["kind"], rec["got"], rec["expected"], rec.get("tolerance") or {}
    if kind == "close":
        return compare(got, expected, float(tol["rtol"]), float(tol["atol"]), plain=True)
    if kind == "equal":
        return compare(got, expected, 0.0, 0.0, plain=True)
    if kind == "within":
        g_kind, _, value = _decode_plain(got)
        return _within_reason(
            g_kind,
            float(value) if g_kind == "float" else None,
            float(tol["low"]),
            float(tol["high"]),
            str(rec.get("note") or ""),
        )
    if kind == "true":
        return None if got is True else "condition is not True"
    if kind == "raises":
        names = str(expected).split(" or ")
        return None if type(got) is str and got in names else f"expected {expected}, got {got}"
    raise ValueError(f"unknown check kind {kind!r}")


# --------------------------------------------------------------------------- checks


def _emit(record: CheckRecord) -> None:
    RECORDS.append(record)
    path = os.environ.get(LOG_ENV)
    if path:
        line = json.dumps(record.as_dict(), allow_nan=False)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def _plain_tolerance(tolerance: Mapping[str, Any]) -> dict[str, float | str]:
    return {k: _float_plain(float(v)) for k, v in tolerance.items()}


def failure_message(check_id: str, case: str, why: str, hint: str = "") -> str:
    """The words of a failed check, the same in the kernel and when the grader judges a record outside it."""
    label = f"[{check_id}]" + (f" case {case}" if case else "")
    return f"{label}: {why}" + (f". Hint: {hint}" if hint else "")


def _finish(
    check_id: str,
    case: str,
    kind: str,
    why: str | None,
    got: Any,
    expected: Any,
    tolerance: dict[str, Any],
    hint: str = "",
    depends_on_answer: bool = False,
    note: str = "",
) -> None:
    message = "ok" if why is None else failure_message(check_id, case, why, hint)
    record = CheckRecord(
        check_id,
        case,
        kind,
        why is None,
        message,
        to_plain(got),
        to_plain(expected),
        _plain_tolerance(tolerance),
        bool(depends_on_answer),
        str(hint),
        str(note),
    )
    _emit(record)
    if why is not None:
        raise CheckFailure(message)


def _record_only(check_id: str, case: str, kind: str, got: Any) -> None:
    """While grading: what the student's code returned, nothing else (the grader judges it outside)."""
    _emit(CheckRecord(check_id, case, kind, None, "", to_plain(got), None, {}, False, "", "", True))  # type: ignore[arg-type]


def judge_withheld(record: Mapping[str, Any], reference: Mapping[str, Any]) -> str | None:
    """Judge a record made while grading (``withheld``: got only) with the reference run's record of the same
    check: ``None`` when it passes, else the failure message the check would have raised. The reference gives
    the expected value, the tolerance, the hint and the kind; the record only its ``got``."""
    why = recheck(
        {
            "kind": reference["kind"],
            "got": record.get("got"),
            "expected": reference.get("expected"),
            "tolerance": reference.get("tolerance") or {},
            "note": reference.get("note") or "",
        }
    )
    if why is None:
        return None
    return failure_message(
        str(reference["id"]), str(reference.get("case") or ""), why, str(reference.get("hint") or "")
    )


def check_close(
    check_id: str,
    got: Any,
    expected: Any,
    *,
    case: str = "",
    rtol: float = 1e-7,
    atol: float = 1e-10,
    hint: str = "",
    depends_on_answer: bool = False,
) -> None:
    """Exact type, then shape and dtype, then ``|got - expected| <= atol + rtol*|expected|`` elementwise.

    ``depends_on_answer=True`` when ``expected`` is computed from the student's own output (for example from
    the mask their dropout drew): the grader cannot compare it with the reference run's, only re-check it.
    """
    if expected is WITHHELD:
        return _record_only(check_id, case, "close", got)
    why = compare(got, expected, rtol, atol, plain=False)
    _finish(check_id, case, "close", why, got, expected, {"rtol": rtol, "atol": atol}, hint, depends_on_answer)


def check_equal(
    check_id: str, got: Any, expected: Any, *, case: str = "", hint: str = "", depends_on_answer: bool = False
) -> None:
    """Exact type, then shape and dtype, then exact equality (NaN equals NaN); ``depends_on_answer`` as in
    ``check_close``."""
    if expected is WITHHELD:
        return _record_only(check_id, case, "equal", got)
    why = compare(got, expected, 0.0, 0.0, plain=False)
    _finish(check_id, case, "equal", why, got, expected, {}, hint, depends_on_answer)


def check_within(
    check_id: str, got: Any, low: float, high: float, *, case: str = "", why: str = "", hint: str = ""
) -> None:
    """A float statistic inside ``[low, high]``; ``why`` states the bound (for example "6 sigma")."""
    if low is WITHHELD or high is WITHHELD:
        return _record_only(check_id, case, "within", got)
    low, high = float(low), float(high)
    reason = _within_reason(_kind(got), got, low, high, why)
    _finish(check_id, case, "within", reason, got, [low, high], {"low": low, "high": high}, hint, note=why)


def check_true(check_id: str, condition: Any, message: str, *, case: str = "", hint: str = "") -> None:
    """A yes/no property (``condition`` must be exactly ``True``); ``message`` says what was expected."""
    is_bool = type(condition) is bool
    ok = is_bool and condition is True
    reason = None if ok else (message if is_bool else f"{message} (the condition is a {_kind(condition)}, not a bool)")
    _finish(check_id, case, "true", reason, condition if is_bool else _kind(condition), True, {}, hint)


def check_raises(
    check_id: str,
    fn: Callable[[], Any],
    exc_types: type[BaseException] | Sequence[type[BaseException]],
    *,
    case: str = "",
    hint: str = "",
) -> None:
    """``fn()`` must raise one of ``exc_types`` (an error like torch's, not a silent wrong answer)."""
    types = tuple(exc_types) if isinstance(exc_types, Sequence) else (exc_types,)
    names = " or ".join(t.__name__ for t in types)
    try:
        fn()
    except types as exc:  # noqa: B030 - a tuple of exception types
        # record the accepted type (a subclass of it is accepted too), so a re-check by name agrees
        matched = next(t for t in types if isinstance(exc, t))
        _finish(check_id, case, "raises", None, matched.__name__, names, {}, hint)
        return
    except Exception as exc:  # the wrong exception is a failure of the check, not of the grader
        _finish(
            check_id,
            case,
            "raises",
            f"expected {names}, got {type(exc).__name__}: {exc}",
            type(exc).__name__,
            names,
            {},
            hint,
        )
        return
    _finish(check_id, case, "raises", f"expected {names}, nothing was raised", "no exception", names, {}, hint)
