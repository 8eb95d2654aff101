"""The checking API: exact types first, then shape/dtype, then values; every check logged as strict JSON that the
grader can re-check out of process with the same verdict."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from course import checks
from course.checks import (
    LOG_ENV,
    RECORDS,
    CheckFailure,
    check_close,
    check_equal,
    check_raises,
    check_true,
    check_within,
    compare,
    from_plain,
    recheck,
    to_plain,
)

NAN, INF = float("nan"), float("inf")


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-strict JSON constant {name}")


def _fail_message(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailure) as info:
        fn(*args, **kwargs)
    return str(info.value)


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    path = tmp_path / "checks.jsonl"
    monkeypatch.setenv(LOG_ENV, str(path))
    return path


def _log_lines(path) -> list[dict]:
    return [json.loads(line, parse_constant=_reject_constant) for line in path.read_text().splitlines()]


# --------------------------------------------------------------------------- passing


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        3,
        True,
        "adam",
        None,
        torch.tensor([1.0, 2.0]),
        torch.arange(6, dtype=torch.float64).reshape(2, 3),
        torch.tensor(2.5),
        np.array([1, 2, 3]),
        [torch.ones(2), 1.0, (2, "x")],
        np.float64(0.5),
    ],
)
def test_equal_values_pass(value):
    check_equal("t/equal", value, value)
    check_close("t/close", value, value)


def test_close_within_tolerance_passes_and_outside_fails():
    check_close("t/close", torch.tensor([1.0 + 1e-9]), torch.tensor([1.0]), rtol=1e-7)
    check_close("t/close", 1.0 + 1e-5, 1.0, rtol=1e-4)
    with pytest.raises(CheckFailure):
        check_close("t/close", 1.0 + 1e-3, 1.0, rtol=1e-4, atol=0.0)


# --------------------------------------------------------------------------- order: type, shape, dtype, value


def test_type_is_checked_before_shape_and_value():
    msg = _fail_message(check_close, "t/type", np.zeros(3), torch.zeros(5, dtype=torch.float64))
    assert "type" in msg and "Tensor" in msg and "ndarray" in msg
    assert "shape" not in msg


def test_shape_before_dtype_and_value():
    msg = _fail_message(check_close, "t/shape", torch.zeros(2, 3, dtype=torch.int64), torch.ones(3, 2))
    assert "shape" in msg and "(3, 2)" in msg and "(2, 3)" in msg
    assert "dtype" not in msg


def test_dtype_before_value():
    msg = _fail_message(check_close, "t/dtype", torch.ones(3, dtype=torch.float32), torch.zeros(3, dtype=torch.float64))
    assert "dtype" in msg and "float64" in msg and "float32" in msg


def test_value_message_names_case_expected_got_errors_and_tolerance():
    got = torch.tensor([1.0, 2.0, 3.5], dtype=torch.float64)
    expected = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    msg = _fail_message(check_close, "adam/step", got, expected, case="lr=0.1, step 3", rtol=1e-6, atol=1e-9)
    assert "[adam/step]" in msg and "lr=0.1, step 3" in msg
    assert "expected 3" in msg and "got 3.5" in msg
    assert "abs error 0.5" in msg and "rel error 0.167" in msg
    assert "atol 1e-09" in msg and "rtol 1e-06" in msg
    assert "index (2,)" in msg and "1 of 3" in msg


def test_values_are_printed_with_enough_digits_to_differ():
    # 6 significant digits print these two the same; the message must show where they differ
    msg = _fail_message(check_close, "t/digits", -0.58125149, -0.58125101, rtol=1e-9)
    shown = msg.split("value: ")[1].split(";")[0]
    expected_text, got_text = shown.removeprefix("expected ").split(", got ")
    assert expected_text != got_text and float(expected_text) == pytest.approx(-0.58125101, abs=5e-8)
    assert "float32 rounding" in msg  # 8e-7 relative: the size of a float32 computation's error
    assert "float32" not in _fail_message(check_close, "t/far", 1.5, 1.0)


def test_float32_rounding_is_named_as_the_likely_cause():
    exact = torch.linspace(0.1, 2.0, 7, dtype=torch.float64) / 3
    msg = _fail_message(check_close, "t/f32", exact.float().double(), exact, rtol=1e-12)
    assert "float32 rounding" in msg
    assert ".item()" in _fail_message(check_close, "t/type", torch.tensor(1.0, dtype=torch.float64), 1.0)


def test_hint_is_appended():
    assert "Hint: divide by" in _fail_message(check_equal, "t/hint", 1, 2, hint="divide by (1 - beta**t)")


def test_integer_and_scalar_values():
    msg = _fail_message(check_equal, "t/int", torch.tensor([1, 2, 3]), torch.tensor([1, 2, 4]))
    assert "expected 4" in msg and "got 3" in msg
    assert "type" in _fail_message(check_equal, "t/bool-int", True, 1)
    assert "type" in _fail_message(check_equal, "t/list-tuple", [1, 2], (1, 2))
    assert "length" in _fail_message(check_equal, "t/len", [1, 2], [1, 2, 3])
    assert "item 1" in _fail_message(check_close, "t/item", [1.0, 2.0], [1.0, 2.5])


# --------------------------------------------------------------------------- lying objects


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class FloatSub(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


class TensorSub(torch.Tensor):
    pass


class LyingTensor(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("eq", "__eq__", "allclose", "isclose", "equal", "ne", "__ne__"):
            return True if name in ("allclose", "equal") else torch.ones((), dtype=torch.bool)
        return super().__torch_function__(func, types, args, kwargs or {})


class ArraySub(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        (AlwaysEqual(), 1.0),
        (AlwaysEqual(), torch.ones(3)),
        (FloatSub(2.0), 1.0),
        (torch.zeros(3).as_subclass(TensorSub), torch.ones(3)),
        (torch.zeros(3).as_subclass(LyingTensor), torch.ones(3)),
        (np.zeros(3).view(ArraySub), np.ones(3)),
        ([AlwaysEqual()], [1.0]),
        (np.array([AlwaysEqual()], dtype=object), np.array([1.0])),
        (np.float64(1.0), 1.0),
        (torch.nn.Parameter(torch.ones(2)), torch.ones(2)),
    ],
)
def test_lying_or_foreign_objects_are_rejected(got, expected):
    # even when the values would agree, a subclass or an object with its own __eq__ is not trusted
    with pytest.raises(CheckFailure) as info:
        check_equal("t/liar", got, expected)
    assert "type" in str(info.value) or "dtype" in str(info.value)
    with pytest.raises(CheckFailure):
        check_close("t/liar", got, expected, rtol=1.0, atol=1.0)


def test_lying_tensor_really_lies():
    # guard: the subclass does fool a naive comparison, so the test above means something
    liar = torch.zeros(3).as_subclass(LyingTensor)
    assert torch.equal(liar, torch.ones(3)) is True


def test_unsupported_expected_type_is_the_authors_error():
    with pytest.raises(TypeError, match="unsupported type torch.Size"):
        check_equal("t/size", torch.zeros(2).shape, torch.Size([2]))


# --------------------------------------------------------------------------- NaN and inf


def test_nan_handling():
    check_equal("t/nan", NAN, NAN)
    check_close("t/nan", torch.tensor([1.0, NAN]), torch.tensor([1.0, NAN]))
    assert "expected 1" in _fail_message(check_close, "t/nan", NAN, 1.0, rtol=1.0, atol=1.0)
    assert "got 1" in _fail_message(check_close, "t/nan", 1.0, NAN, rtol=1.0, atol=1.0)
    assert "index (0,)" in _fail_message(check_close, "t/nan", torch.tensor([NAN]), torch.tensor([0.0]))


def test_infinities():
    check_equal("t/inf", INF, INF)
    check_close("t/inf", torch.tensor([-INF, 1.0]), torch.tensor([-INF, 1.0]))
    with pytest.raises(CheckFailure):
        check_close("t/inf", 1e300, INF, rtol=1.0)
    with pytest.raises(CheckFailure):
        check_close("t/inf", -INF, INF, rtol=1.0)
    with pytest.raises(CheckFailure):
        check_close("t/inf", INF, 1.0, rtol=1.0)


# --------------------------------------------------------------------------- within, true, raises


def test_check_within():
    check_within("init/std", 0.99, 0.9, 1.1, why="6 sigma")
    msg = _fail_message(check_within, "init/std", 1.5, 0.9, 1.1, case="fan_in", why="6 sigma of the sample std")
    assert "outside [0.9, 1.1]" in msg and "6 sigma of the sample std" in msg and "fan_in" in msg
    assert "type" in _fail_message(check_within, "init/std", torch.tensor(1.0), 0.9, 1.1)
    assert "type" in _fail_message(check_within, "init/std", np.float64(1.0), 0.9, 1.1)
    with pytest.raises(CheckFailure):
        check_within("init/std", NAN, -INF, INF)


def test_check_true():
    check_true("t/true", True, "must hold")
    assert "grads must be None" in _fail_message(check_true, "t/true", False, "grads must be None")
    msg = _fail_message(check_true, "t/true", np.bool_(True), "must hold")
    assert "must hold" in msg and "not a bool" in msg
    with pytest.raises(CheckFailure):
        check_true("t/true", 1, "must hold")


def test_check_raises():
    def bad():
        raise ValueError("p must be in [0, 1)")

    check_raises("dropout/p", bad, ValueError)
    check_raises("dropout/p", bad, (TypeError, ValueError))
    msg = _fail_message(check_raises, "dropout/p", bad, TypeError)
    assert "expected TypeError, got ValueError" in msg
    msg = _fail_message(check_raises, "dropout/p", lambda: None, ValueError)
    assert "nothing was raised" in msg


# --------------------------------------------------------------------------- records and out-of-process re-check


def test_records_and_strict_json_log(log_file):
    before = len(RECORDS)
    check_close("t/log", torch.tensor([1.0, NAN, INF]), torch.tensor([1.0, NAN, INF]))
    with pytest.raises(CheckFailure):
        check_within("t/log", 2.0, -INF, 1.0)
    check_raises("t/log", lambda: 1 / 0, ZeroDivisionError)
    assert len(RECORDS) == before + 3
    lines = _log_lines(log_file)  # strict JSON: NaN/Infinity literals would raise
    assert [line["id"] for line in lines] == ["t/log"] * 3
    assert [line["passed"] for line in lines] == [True, False, True]
    assert lines[1]["tolerance"] == {"low": "-inf", "high": 1.0}
    assert RECORDS[-2].passed is False and "outside" in RECORDS[-2].message
    assert all(
        set(line) >= {"id", "case", "kind", "passed", "message", "got", "expected", "tolerance"} for line in lines
    )


RECHECK_CASES = [
    ("close", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-9]), True),
    ("close", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5]), False),
    ("close", np.zeros(3), torch.zeros(3, dtype=torch.float64), False),  # type lost by a naive from_plain
    ("close", torch.zeros(3, dtype=torch.float32), torch.zeros(3, dtype=torch.float64), False),
    ("close", np.float64(1.0), 1.0, False),
    ("close", NAN, NAN, True),
    ("close", NAN, 1.0, False),
    ("close", [torch.ones(2), 3], [torch.ones(2), 3], True),
    ("close", [np.ones(2), 3], [torch.ones(2, dtype=torch.float64), 3], False),
    ("equal", "nan", NAN, False),
    ("equal", "nan", "nan", True),
    ("equal", AlwaysEqual(), 1.0, False),
    ("equal", torch.tensor(3), torch.tensor(3), True),
    ("equal", torch.tensor([1, 2]), torch.tensor([1, 3]), False),
]


@pytest.mark.parametrize(("kind", "got", "expected", "passes"), RECHECK_CASES)
def test_logged_plain_data_reproduces_the_verdict(log_file, kind, got, expected, passes):
    fn = check_close if kind == "close" else check_equal
    try:
        fn("t/recheck", got, expected, rtol=1e-7, atol=1e-10) if kind == "close" else fn("t/recheck", got, expected)
        live = None
    except CheckFailure as exc:
        live = str(exc)
    assert (live is None) is passes
    (line,) = _log_lines(log_file)
    assert line["passed"] is passes
    tol = line["tolerance"]
    rtol, atol = (tol["rtol"], tol["atol"]) if kind == "close" else (0.0, 0.0)
    replay = compare(line["got"], line["expected"], rtol, atol, plain=True)
    assert (replay is None) is passes
    assert compare(line["got"], line["expected"], rtol, atol) == replay  # auto-detects plain data
    assert recheck(line) == replay
    if live is not None:
        assert replay in live  # same reason, word for word


def test_recheck_other_kinds(log_file):
    check_within("t/k", 1.0, 0.0, 2.0)
    with pytest.raises(CheckFailure):
        check_within("t/k", np.float64(1.0), 0.0, 2.0)
    check_true("t/k", True, "m")
    with pytest.raises(CheckFailure):
        check_true("t/k", np.bool_(True), "m")

    class MyError(ValueError):
        pass

    def raise_sub():
        raise MyError

    check_raises("t/k", raise_sub, ValueError)
    with pytest.raises(CheckFailure):
        check_raises("t/k", raise_sub, KeyError)
    lines = _log_lines(log_file)
    assert [recheck(line) is None for line in lines] == [line["passed"] for line in lines]
    assert [line["passed"] for line in lines] == [True, False, True, False, True, False]


@pytest.mark.parametrize(
    "value",
    [
        torch.tensor([[1.5, -2.0], [0.25, 3.0]]),
        torch.tensor([1.0, 2.0], dtype=torch.float64),
        torch.tensor([1, -2, 3], dtype=torch.int64),
        torch.tensor(7.0),
        torch.tensor([NAN, INF, -INF]),
        np.arange(6, dtype=np.float32).reshape(3, 2),
        np.array(4, dtype=np.int64),
    ],
)
def test_array_round_trip(value):
    plain = to_plain(value)
    json.dumps(plain, allow_nan=False)
    back = from_plain(json.loads(json.dumps(plain)))
    ref = value.numpy() if isinstance(value, torch.Tensor) else value
    assert type(back) is np.ndarray and back.dtype == ref.dtype and back.shape == ref.shape
    np.testing.assert_array_equal(back, ref)  # NaN == NaN here
    assert plain["__array__"] == ("Tensor" if isinstance(value, torch.Tensor) else "ndarray")


@pytest.mark.parametrize("value", [1.5, 3, True, None, "text", "nan", [1, 2.5], (1, (2, "a")), NAN, INF, -INF])
def test_scalar_and_sequence_round_trip(value):
    plain = to_plain(value)
    back = from_plain(json.loads(json.dumps(plain, allow_nan=False)))
    assert type(back) is type(value)
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value


def test_round_trip_nested_tensors_and_numpy_scalars():
    back = from_plain(json.loads(json.dumps(to_plain([torch.ones(2), (np.float32(2.5), 1)]))))
    assert type(back) is list and type(back[1]) is tuple
    np.testing.assert_array_equal(back[0], np.ones(2, dtype=np.float32))
    assert type(back[1][0]) is np.float32 and back[1][0] == 2.5


def test_foreign_objects_are_recorded_by_name_only():
    assert to_plain(AlwaysEqual()) == {"__foreign__": f"{__name__}.AlwaysEqual"}
    assert checks._kind(FloatSub(1.0)).endswith("FloatSub")
