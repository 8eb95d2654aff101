"""scripts/try_solutions.py, the author's quick loop, on the tiny course: it must tell a hidden-only catch from a
visible one, refuse a mutant that breaks another item or a variant that loses points, and spot a test cell that
ends in a value."""

import subprocess
import sys
from pathlib import Path

import nbformat
from tiny_course import ASSIGNMENT

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "try_solutions.py"


def _run(course, *args):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), ASSIGNMENT, "--root", str(course.root), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = {line.split()[2]: line for line in done.stdout.splitlines() if line[:3] in ("ok ", "BAD")}
    return done.returncode, lines


def test_mutants_and_variants_are_told_apart(tiny, tmp_path):
    variant = tmp_path / "add_swapped.py"
    variant.write_text("# replaces: add_impl\n# why: operands swapped\ndef add(a, b):\n    return b + a\n")
    wrong = tmp_path / "twice_breaks_add.py"
    wrong.write_text("# replaces: twice_impl\n# breaks: add\n# bug: the wrong item\ndef twice(x):\n    return x\n")
    code, lines = _run(tiny, "add_abs", "add_subtracts", str(variant), str(wrong))
    assert code == 1
    assert lines["reference"].startswith("ok ") and "full marks" in lines["reference"]
    assert lines["add_abs"].startswith("ok ") and "caught by hidden only" in lines["add_abs"]
    assert lines["add_subtracts"].startswith("ok ") and "caught by visible" in lines["add_subtracts"]
    assert lines["add_swapped"].startswith("ok ") and "variant" in lines["add_swapped"]
    assert lines["twice_breaks_add"].startswith("BAD") and "NOT CAUGHT" in lines["twice_breaks_add"]


def test_a_test_cell_that_ends_in_a_value_costs_the_reference(tiny):
    source = tiny.source_notebooks(ASSIGNMENT)[0]
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add__visible")
    cell.source += "\nadd(1.0, 2.0)"
    nbformat.write(nb, source)
    code, lines = _run(tiny, "--items", "none")
    assert code == 1 and "add__visible: the test cell ends in a value (float)" in lines["reference"]
