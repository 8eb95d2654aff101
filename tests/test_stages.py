"""Each grading stage on tiny notebooks built in the test (no kernel needed)."""

import copy
import logging

import nbformat
from nbformat import v4
from tiny_course import ASSIGNMENT

from autograder.core import markup, mutants
from autograder.core.submission import ItemResult, State, Submission
from autograder.handout.release import leaks
from autograder.stages import feedback, readable, restore, score, trim
from autograder.trust import protect, withhold


def _released(course) -> nbformat.NotebookNode:
    return nbformat.read(course.release / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def _sub(course, nb, student="s1") -> Submission:
    sub = Submission(student, ASSIGNMENT, ASSIGNMENT, None)
    sub.nb = nb
    return sub


def _cell(nb, grade_id):
    return next(c for c in nb.cells if markup.grade_id(c) == grade_id)


def test_unreadable_notebook_is_a_student_fault(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text("{ not json")
    sub = readable.read(Submission("s", ASSIGNMENT, ASSIGNMENT, path))
    assert sub.state is State.STUDENT_FAULT and sub.reason.startswith("unreadable notebook")
    path.write_text('{"cells": 3}')
    sub = readable.read(Submission("s", ASSIGNMENT, ASSIGNMENT, path))
    assert sub.state is State.STUDENT_FAULT


def test_release_hides_solutions_and_hidden_tests(tiny):
    nb = _released(tiny)
    text = "\n".join(c.source for c in nb.cells)
    assert "return a + b" not in text and "add(-2.0, 0.5)" not in text
    assert "raise NotImplementedError()" in _cell(nb, "add_impl").source
    assert leaks(tiny.source_notebooks(ASSIGNMENT)[0], tiny.release / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") == []


def test_leak_check_finds_a_solution_line(tiny, tmp_path):
    nb = _released(tiny)
    _cell(nb, "twice_impl").source = "def twice(x):\n    return 2 * x  # copied"
    leaked = tmp_path / f"{ASSIGNMENT}.ipynb"
    _cell(nb, "add__visible").source += "\ndef reference_add(a, b):\n    return a + b"  # a hidden test's line
    nbformat.write(nb, leaked)
    found = leaks(tiny.source_notebooks(ASSIGNMENT)[0], leaked)
    assert any("def reference_add(a, b):" in f for f in found)


def test_restore_puts_back_hidden_tests_locked_cells_and_deleted_cells(tiny):
    nb = _released(tiny)
    _cell(nb, "add__visible").source = "pass  # the student emptied the visible test"
    params = _cell(nb, "parameters")
    params.source = "SEED = 123"
    params.metadata["tags"] = []
    nb.cells.remove(_cell(nb, "twice__visible"))
    sub = restore.restore(_sub(tiny, nb), tiny.config(), tiny.db_url)
    assert sub.state is State.PENDING
    assert "add(-2.0, 0.5)" in _cell(sub.nb, "add__hidden").source
    assert "check_close" in _cell(sub.nb, "add__visible").source
    assert _cell(sub.nb, "parameters").source.startswith("SEED = 0")
    assert "parameters" in _cell(sub.nb, "parameters").metadata["tags"]
    assert 'check_equal("twice/int"' in _cell(sub.nb, "twice__visible").source


class _Remember(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_restore_reports_an_edited_locked_cell_but_not_the_missing_hidden_tests(tiny):
    log = restore.RestoreCells().log  # traitlets' logger (an nbgrader app's once one ran): where nbgrader warns
    seen, level = _Remember(), log.level
    log.addHandler(seen)
    log.setLevel(logging.DEBUG)
    try:
        restore.restore(_sub(tiny, _released(tiny)), tiny.config(), tiny.db_url)
        messages = [(r.levelname, r.getMessage()) for r in seen.records]
        assert not [m for m in messages if m[0] == "WARNING"]
        assert ("DEBUG", "cell add__hidden is as released (its hidden tests are restored)") in messages
        seen.records.clear()
        nb = _released(tiny)
        _cell(nb, "add__hidden").source += "\npass"
        restore.restore(_sub(tiny, nb, student="mallory"), tiny.config(), tiny.db_url)
        warnings = [r.getMessage() for r in seen.records if r.levelname == "WARNING"]
        assert warnings == ["student mallory edited the locked cell add__hidden: the instructor's version is graded"]
    finally:
        log.removeHandler(seen)
        log.setLevel(level)


def _executed(nb, grade_id_, outputs, count=1):
    cell = _cell(nb, grade_id_)
    cell.outputs = outputs
    cell.execution_count = count
    return cell


def test_unexecuted_test_cell_scores_zero_and_stderr_does_not(tiny):
    nb = restore.restore(_sub(tiny, _released(tiny)), tiny.config(), tiny.db_url).nb
    for c in nb.cells:
        if c.cell_type == "code":
            c.execution_count = 1
    _executed(nb, "add__visible", [v4.new_output("stream", name="stderr", text="DeprecationWarning: x\n")])
    _executed(
        nb,
        "add__hidden",
        [
            v4.new_output(
                "error", ename="CheckFailure", evalue="[add/negative] value off", traceback=["secret source line"]
            )
        ],
    )
    _cell(nb, "twice__visible").execution_count = None  # the kernel died before it
    sub = score.score(_sub(tiny, nb), tiny.config(), tiny.db_url)
    points = {r.grade_id: r.points for r in sub.results}
    assert points == {"add__visible": 1.0, "add__hidden": 0.0, "twice__visible": 0.0}
    messages = {r.grade_id: r.message for r in sub.results}
    assert messages["add__hidden"] == "CheckFailure: [add/negative] value off"
    assert "did not run" in messages["twice__visible"]


def test_missing_notebook_scores_zero_with_reason(tiny):
    sub = Submission("nobody", ASSIGNMENT, ASSIGNMENT, None).fail(State.STUDENT_FAULT, "no 00_tiny.ipynb submitted")
    sub = score.score(sub, tiny.config(), tiny.db_url)
    assert [r.points for r in sub.results] == [0.0, 0.0, 0.0]
    assert sub.state is State.STUDENT_FAULT and all("no 00_tiny" in r.message for r in sub.results)


def test_feedback_never_shows_hidden_test_source(tiny):
    sub = Submission("s", ASSIGNMENT, ASSIGNMENT, None, State.GRADED)
    sub.results = [ItemResult("add__hidden", "add", 0.0, 2.0, "CheckFailure: [add/negative] case -2+0.5: value", True)]
    page = feedback.render(sub)
    assert "add/negative" in page and "0 / 2" in page
    assert "BEGIN HIDDEN" not in page and "check_close(" not in page


def test_secret_lines_and_strip_markers():
    cell = v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x * 2 + 1000\n    ### END SOLUTION")
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "f", "locked": False}
    nb = v4.new_notebook(cells=[cell])
    assert markup.secret_lines(nb) == {"return x * 2 + 1000"}
    assert markup.strip_markers(cell.source) == "def f(x):\n    return x * 2 + 1000"
    twin = copy.deepcopy(cell)
    twin.metadata = {}
    twin.source = "return x * 2 + 1000"  # the same line outside a solution is public
    assert markup.secret_lines(v4.new_notebook(cells=[cell, twin])) == set()


def test_mutant_header_is_required(tmp_path):
    good = tmp_path / "m.py"
    good.write_text("# replaces: add_impl\n# breaks: add\n# bug: x\ndef add(a, b):\n    return 0\n")
    m = mutants.parse(good)
    assert (m.replaces, m.breaks, m.apply("anything")) == ("add_impl", "add", "def add(a, b):\n    return 0")
    bad = tmp_path / "bad.py"
    bad.write_text("def add(a, b):\n    return 0\n")
    try:
        mutants.parse(bad)
    except mutants.MutantError as exc:
        assert "replaces" in str(exc)
    else:
        raise AssertionError("a mutant without header was accepted")


def test_mutant_hunks_edit_the_reference_and_fail_loudly_when_it_changed(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "# replaces: f_impl\n# breaks: f\n<<<<<<< reference\n    return x + 1\n=======\n"
        "    return x - 1\n>>>>>>> mutant\n"
    )
    m = mutants.parse(path)
    assert m.apply("def f(x):\n    return x + 1") == "def f(x):\n    return x - 1"
    for changed in ("def f(x):\n    return x + 2", "def f(x):\n    return x + 1\n    return x + 1"):
        try:
            m.apply(changed)
        except mutants.MutantError as exc:
            assert "m" in str(exc) and "f_impl" in str(exc)
        else:
            raise AssertionError("a hunk whose reference block is gone or ambiguous was applied")


def test_trim_drops_only_the_code_after_the_last_test_cell(tiny):
    nb = nbformat.read(tiny.source_notebooks(ASSIGNMENT)[0], as_version=4)
    before = [c.source for c in nb.cells]
    nb.cells += [v4.new_code_cell("plot_everything()"), v4.new_markdown_cell("What to see"), v4.new_code_cell("1")]
    sub = trim.drop_ungraded_tail(_sub(tiny, nb))
    assert [c.source for c in sub.nb.cells] == [*before, "What to see"]
    # a student's own cell before the last test cell may define what the tests use: it stays
    nb = nbformat.read(tiny.source_notebooks(ASSIGNMENT)[0], as_version=4)
    nb.cells.insert(3, v4.new_code_cell("helper = 1"))
    assert "helper = 1" in [c.source for c in trim.drop_ungraded_tail(_sub(tiny, nb)).nb.cells]


def test_bound_names_are_the_top_level_bindings():
    source = (
        "%matplotlib inline\n"
        "import torch.nn.functional as F\nimport os.path\nfrom course.checks import check_close, check_true as ct\n"
        "a, (b, c) = 1, (2, 3)\nd: int = 4\ne += 1\n"
        "def helper(x):\n    inner = x\n    return inner\n"
        "class Net:\n    attr = 1\n"
        "for i in range(2):\n    j = i\n"
        "with open('f') as fh:\n    pass\n"
        "try:\n    import numpy as np\nexcept ImportError:\n    np = None\n"
        "obj.attr = 5\nitems[0] = 6\n"
    )
    assert protect.bound_names(source) == {
        "F",
        "os",
        "check_close",
        "ct",
        "a",
        "b",
        "c",
        "d",
        "e",
        "helper",
        "Net",
        "i",
        "j",
        "fh",
        "np",
    }
    assert protect.bound_names("def broken(:") == set()


def test_the_grading_form_names_what_each_locked_cell_binds_for_the_kernel_guard(tiny):
    """The guard keeps what a locked cell bound (by the names on its marker line) and puts it back before each test
    cell; without the guard (benchmark only) a line in each test cell binds ``__withheld__`` instead."""
    nb = restore.restore(_sub(tiny, _released(tiny)), tiny.config(), tiny.db_url).nb
    before = {markup.grade_id(c): c.source for c in nb.cells}
    guarded = withhold.withhold_expected(_sub(tiny, copy.deepcopy(nb)), {}).nb
    after = {markup.grade_id(c): c.source for c in guarded.cells}
    marker = after["setup"].splitlines()[0]
    assert marker.startswith(f"{withhold.CELL_MARK} = 'locked ONE check_close check_equal expected'"), marker
    unguarded = withhold.withhold_expected(_sub(tiny, copy.deepcopy(nb)), {}, guarded=False).nb
    tests = ("add__visible", "add__hidden", "twice__visible")
    for cell in unguarded.cells:
        gid = markup.grade_id(cell)
        assert (withhold.UNGUARDED in cell.source) == (gid in tests), gid
        assert withhold.UNGUARDED not in after[gid]
    for untouched in ("parameters", "add_impl", "twice_impl"):  # papermill overrides parameters after them
        assert after[untouched] == before[untouched]
