"""The sample class (DESIGN.md section 6): students made from an assignment's own material.

- ``reference``: the source with nbgrader's markers removed, as a student would submit it;
- ``blank``: the release untouched;
- ``mutant-<name>``: the reference with one solution cell replaced by a known bug;
- ``variant-<name>`` (validate only): the reference with one solution cell replaced by a correct solution written
  differently (``assignments/variants/``), which must keep full marks;
- misbehaving students: a crash (``os._exit``), an infinite loop, a huge output, a deleted test cell, and a
  correct answer that writes warnings to stderr during every later cell, and three cheaters built on the first
  known bug or the reference: ``cheats`` replaces every check by a no-op (it must earn that bug's points, no
  more), ``silences-errors`` stops the kernel from reporting errors (the bug's points, tampering suspected),
  ``skips-tests`` makes every later cell a no-op (the first test cell's points, tampering suspected).
Each is written in nbgrader's layout ``DIR/<student>/<assignment>/<notebook>.ipynb``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode, v4

from autograder.core.course_dir import CourseDir
from autograder.core.markup import grade_id, is_autograded_test, is_solution, reference_notebook
from autograder.core.mutants import Mutant, load


@dataclass(frozen=True)
class Student:
    name: str
    notebooks: dict[str, NotebookNode]
    mutant: Mutant | None = None
    kind: str = "reference"  # reference | blank | mutant | variant | misbehaving


def with_cell(nb: NotebookNode, cell_id: str, source: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    matches = [c for c in nb.cells if grade_id(c) == cell_id]
    if not matches:
        raise KeyError(f"no cell {cell_id!r} in the notebook")
    matches[0].source = source
    return nb


def _first_test_index(nb: NotebookNode) -> int:
    return next(n for n, c in enumerate(nb.cells) if is_autograded_test(c))


def _insert_after_first_test(source: str) -> Callable[[NotebookNode], NotebookNode]:
    def change(nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        nb.cells.insert(_first_test_index(nb) + 1, v4.new_code_cell(source))
        return nb

    return change


def insert_before_first_solution(nb: NotebookNode, source: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells.insert(next(n for n, c in enumerate(nb.cells) if is_solution(c)), v4.new_code_cell(source))
    return nb


def _delete_first_test(nb: NotebookNode) -> NotebookNode:
    nb = copy.deepcopy(nb)
    del nb.cells[_first_test_index(nb)]
    return nb


# every function the student defined so far prints a warning to stderr when called (as a call of a deprecated
# torch function would): the test cells that call them must keep their points
WARNS = (
    "import sys, functools, types\n"
    "def _warns(f):\n"
    "    @functools.wraps(f)\n"
    "    def warns(*a, **k):\n"
    "        print('UserWarning: this student warns in every call', file=sys.stderr)\n"
    "        return f(*a, **k)\n"
    "    return warns\n"
    "for _name, _f in list(globals().items()):\n"
    "    if type(_f) is types.FunctionType and _f.__module__ == '__main__' and not _name.startswith('_'):\n"
    "        globals()[_name] = _warns(_f)"
)

# A known bug plus every check replaced by a no-op, in the notebook's names and in the module: must earn exactly
# the known bug's points (see protect.py).
CHEAT = (
    "import course.checks\n"
    "for name in [n for n in globals() if n.startswith('check_')] + course.checks.__all__:\n"
    "    if name.startswith('check_'):\n"
    "        globals()[name] = lambda *args, **kwargs: None\n"
    "        setattr(course.checks, name, globals()[name])"
)

# Errors no longer reported by the kernel: nbgrader alone would give every test cell full marks.
SILENCE = (
    "from IPython.core.interactiveshell import InteractiveShell\n"
    "InteractiveShell.showtraceback = lambda *args, **kwargs: None\n"
    "get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)"
)
# Every later cell (test cells included) replaced by `pass` before it runs.
SKIP = "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"

MISBEHAVING: dict[str, Callable[[NotebookNode], NotebookNode]] = {
    "crash": _insert_after_first_test("import os\nos._exit(1)"),
    "infinite-loop": _insert_after_first_test("while True:\n    pass"),
    "huge-output": _insert_after_first_test("for i in range(500_000):\n    print('spam', i)"),
    "deleted-test-cell": _delete_first_test,
    "warns": _insert_after_first_test(WARNS),
    "skips-tests": _insert_after_first_test(SKIP),
}


def _replaced(refs: dict[str, NotebookNode], mutant: Mutant) -> dict[str, NotebookNode]:
    changed = {}
    for name, nb in refs.items():
        cell = next((c for c in nb.cells if grade_id(c) == mutant.replaces), None)
        changed[name] = with_cell(nb, mutant.replaces, mutant.apply(cell.source)) if cell else nb
    return changed


def build(course: CourseDir, assignment: str, *, misbehaving: bool = True, variants: bool = False) -> list[Student]:
    """All students of the sample class for one assignment (the release must exist); ``variants`` adds the
    correct variants (validate grades them; the demo does not need them)."""
    refs: dict[str, NotebookNode] = {}
    blanks: dict[str, NotebookNode] = {}
    for src_path in course.source_notebooks(assignment):
        release = nbformat.read(course.release / assignment / src_path.name, as_version=4)
        refs[src_path.stem] = reference_notebook(nbformat.read(src_path, as_version=4), release)
        blanks[src_path.stem] = release
    students = [Student("reference", refs), Student("blank", blanks, kind="blank")]
    for mutant in load(course.mutants / assignment):
        students.append(Student(f"mutant-{mutant.name}", _replaced(refs, mutant), mutant, "mutant"))
    if variants:
        for variant in load(course.variants / assignment, variant=True):
            students.append(Student(f"variant-{variant.name}", _replaced(refs, variant), variant, "variant"))
    if misbehaving:
        for name, change in MISBEHAVING.items():
            students.append(Student(name, {k: change(v) for k, v in refs.items()}, kind="misbehaving"))
        buggy = next((s for s in students if s.kind == "mutant"), None)
        if buggy is not None:
            cheat = {k: insert_before_first_solution(v, CHEAT) for k, v in buggy.notebooks.items()}
            students.append(Student("cheats", cheat, buggy.mutant, kind="misbehaving"))
            silent = {k: insert_before_first_solution(v, SILENCE) for k, v in buggy.notebooks.items()}
            students.append(Student("silences-errors", silent, buggy.mutant, kind="misbehaving"))
    return students


def write(students: list[Student], assignment: str, submissions_dir: Path) -> None:
    for student in students:
        folder = submissions_dir / student.name / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, nb in student.notebooks.items():
            nbformat.write(nb, folder / f"{name}.ipynb")
