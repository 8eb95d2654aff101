"""Diagnosis on records made here (no grading): what a hostile kernel can write into its check log never makes
a diagnosis raise (which would turn the student's own submission into a grader fault) or name a bug."""

import json

from autograder.core.submission import ItemResult, State, Submission
from autograder.stages import diagnosis

RECORD = {"id": "add/small", "case": "1+2", "kind": "close", "tolerance": {"rtol": 1e-9, "atol": 0.0}}
TABLE = {
    "version": "v",
    "bugs": [
        {
            "mutant": "add_subtracts",
            "item": "add",
            "bug": "subtracts",
            "cells": {"add__visible": {"error": "CheckFailure", "records": [{**RECORD, "passed": False, "got": -1.0}]}},
        }
    ],
}


def lost(got) -> tuple[Submission, list[dict]]:
    sub = Submission("s", "00_tiny", "00_tiny", None, State.GRADED)
    sub.version = "v"
    sub.results = [ItemResult("add__visible", "add", 0.0, 1.0, "CheckFailure: [add/small] value off")]
    return sub, [{**RECORD, "passed": False, "got": got, "cell": "add__visible"}]


def nested(depth: int) -> dict:
    value: object = 1.0
    for _ in range(depth):
        value = {"__seq__": "list", "items": [value]}
    return value


def test_the_same_value_is_named_and_another_is_not():
    sub, checks = lost(-1.0)
    assert [d["bug"] for d in diagnosis.diagnose(sub, checks, TABLE).results[0].diagnosis] == ["subtracts"]
    sub, checks = lost(4.0)
    assert diagnosis.diagnose(sub, checks, TABLE).results[0].diagnosis == []


def test_hostile_records_name_nothing_and_raise_nothing(tmp_path):
    for got in (nested(50_000), {"__array__": "Tensor", "dtype": "float64", "shape": [2], "data": ["x"]}, [[]]):
        sub, checks = lost(got)
        assert diagnosis.diagnose(sub, checks, TABLE).results[0].diagnosis == []
    log = tmp_path / "x.checks.jsonl"
    log.write_text("[" * 100_000 + "\n" + json.dumps(lost(-1.0)[1][0]) + "\nnot json\n")
    assert diagnosis.read_checks(log) == lost(-1.0)[1]
