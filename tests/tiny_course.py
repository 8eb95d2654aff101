"""A tiny course root built inside the tests: one assignment, two items, one mutant (as nbgrader tests its
preprocessors on notebooks made in the test)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import v4

ASSIGNMENT = "00_tiny"


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "grade_id": grade_id,
        "schema_version": 3,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def code(source: str, grade_id: str | None = None, **kw) -> nbformat.NotebookNode:
    cell = v4.new_code_cell(source)
    if grade_id:
        cell.metadata.update(_meta(grade_id, **kw))
    return cell


WRITTEN = "written_why"  # the written answer of tiny_notebook(written=True), 1 point, graded by hand


def written_cell() -> nbformat.NotebookNode:
    cell = v4.new_markdown_cell(
        "**Written answer (1 point).** Why is addition commutative?\n\n### BEGIN SOLUTION\nBecause a + b counts "
        "the same things as b + a.\n### END SOLUTION"
    )
    cell.metadata.update(_meta(WRITTEN, grade=True, solution=True, points=1))
    return cell


def tiny_notebook(written: bool = False) -> nbformat.NotebookNode:
    params = code('SEED = 0\nDEVICE = "auto"\nFAST = False', "parameters", locked=True)
    params.metadata["tags"] = ["parameters"]
    cells = [
        v4.new_markdown_cell("# Tiny\nAdd two numbers."),
        params,
        code(
            "from course.checks import check_close, check_equal, expected\nONE = 1.0  # read by a test",
            "setup",
            locked=True,
        ),
        code(
            "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", "add_impl", solution=True
        ),
        code(
            'check_close("add/small", add(ONE, 2.0), 3.0, case="1+2")',
            "add__visible",
            grade=True,
            locked=True,
            points=1,
        ),
        code(
            # the expected side from a reference function the hidden test defines (as 06's hidden tests do): the
            # grading form leaves it out, so no student's code can call it (attacks.py: calls-a-hidden-reference)
            "# hidden tests below\n### BEGIN HIDDEN TESTS\ndef reference_add(a, b):\n    return a + b\n\n\n"
            'check_close("add/negative", add(-2.0, 0.5), expected(reference_add(-2.0, 0.5)), case="-2+0.5")\n'
            "### END HIDDEN TESTS",
            "add__hidden",
            grade=True,
            locked=True,
            points=2,
        ),
        code(
            "def twice(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", "twice_impl", solution=True
        ),
        code(
            'import warnings\nwarnings.warn("a harmless warning")\ncheck_equal("twice/int", twice(21), 42, case="21")',
            "twice__visible",
            grade=True,
            locked=True,
            points=1,
        ),
    ]
    # what the add item asks students to write themselves: the grader flags it in the source and in the run
    cells[3].metadata["autograder"] = {"forbidden": ["operator.add", "fractions"]}
    if written:
        cells.append(written_cell())
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def make_course(root: Path, written: bool = False) -> Path:
    """Write the tiny course under ``root`` and return it; ``written``: with a written answer and its rubric."""
    src = root / "source" / ASSIGNMENT
    src.mkdir(parents=True)
    nbformat.write(tiny_notebook(written), src / f"{ASSIGNMENT}.ipynb")
    if written:
        (root / "rubrics").mkdir()
        (root / "rubrics" / f"{ASSIGNMENT}.toml").write_text(
            f'[{WRITTEN}]\nquestion = "why addition commutes"\n[[{WRITTEN}.criteria]]\npoints = 1\n'
            'text = "counting the same things in another order"\n'
            f'[[{WRITTEN}.comments]]\npoints = -1\ntext = "Say why, not only that it does."\n'
        )
    mutants = root / "mutants" / ASSIGNMENT
    mutants.mkdir(parents=True)
    (mutants / "add_subtracts.py").write_text(
        "# replaces: add_impl\n# breaks: add\n# bug: subtracts\ndef add(a, b):\n    return a - b\n"
    )
    (mutants / "add_abs.py").write_text(
        "# replaces: add_impl\n# breaks: add\n# bug: ignores signs\ndef add(a, b):\n    return abs(a) + abs(b)\n"
    )
    (mutants / "twice_squares.py").write_text(
        "# replaces: twice_impl\n# breaks: twice\n# bug: squares\ndef twice(x):\n    return x * x\n"
    )
    return root
