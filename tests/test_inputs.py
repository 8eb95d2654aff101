"""Per-student inputs (inputs.py, course.seeding.vary): each student's hidden tests draw their own inputs, the
reference computes the expected side of every variant in one run, and a table of one student's outputs is
worthless to another."""

import nbformat
import pytest
from tiny_course import ASSIGNMENT

from autograder.authoring import sample_class
from autograder.authoring.validate import INPUTS_POOL, again, inputs_pool, validate
from autograder.core.errors import UsageError
from autograder.core.markup import grade_id, is_autograded_test
from autograder.core.submission import State
from autograder.handout.release import release
from autograder.isolation.execute import Limits
from autograder.stages.batch_log import REFERENCE
from autograder.stages.pipeline import GradeOptions, grade_batch
from autograder.trust import inputs, reference
from course import seeding

OPTIONS = GradeOptions(limits=Limits(notebook_timeout=120, cell_timeout=20))
DRAWS = 5
HIDDEN = f"""# hidden tests below
### BEGIN HIDDEN TESTS
import random
from course.seeding import vary
check_close("add/negative", add(-2.0, 0.5), -1.5, case="-2+0.5")
draw = random.Random(vary(7))
for n in range({DRAWS}):
    a, b = draw.uniform(-5, 5), draw.uniform(-5, 5)
    check_close("add/random", add(a, b), a + b, case=f"draw {{n}}")
### END HIDDEN TESTS"""


def _set_hidden(course, source: str) -> None:
    path = course.source_notebooks(ASSIGNMENT)[0]
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if grade_id(c) == "add__hidden").source = source
    nbformat.write(nb, path)


@pytest.fixture
def varied(tiny):
    """The tiny course with a hidden test drawing from ``vary`` and per-student inputs asked for."""
    _set_hidden(tiny, HIDDEN)
    (tiny.root / "course.toml").write_text("[inputs]\nper_student = true\n")
    release(tiny, ASSIGNMENT)
    return tiny


def _submit(course, student: str, add_source: str) -> None:
    nb = nbformat.read(course.release / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    next(c for c in nb.cells if grade_id(c) == "add_impl").source = add_source
    next(c for c in nb.cells if grade_id(c) == "twice_impl").source = "def twice(x):\n    return 2 * x\n"
    folder = course.submitted / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def _reference_lines(course) -> list[str]:
    """What each batch log says of its reference runs (batch_log.py), oldest first."""
    lines = [
        line.split(REFERENCE)[1].split(" of the inputs")[0].strip()
        for log in sorted((course.root / "logs").glob(f"{ASSIGNMENT}-*.log"))
        for line in log.read_text(encoding="utf-8").splitlines()
        if REFERENCE in line
    ]
    return lines


def _drawn(sub) -> list:
    return [r["got"] for r in sub.checks if r.get("id") == "add/random"]


def test_vary_is_the_seed_itself_outside_grading_and_mixed_with_the_variant_inside():
    assert seeding._variant == ""
    assert [seeding.vary(k) for k in (0, 7, 2**40)] == [0, 7, 2**40]
    try:
        seeding.use_inputs("ab")
        mixed = [seeding.vary(k) for k in range(50)]
        assert len(set(mixed)) == 50 and all(0 <= m < 2**31 for m in mixed) and mixed != list(range(50))
        assert seeding.vary(3) == seeding.vary(3)  # the same inputs in the reference run and the student's
        seeding.use_inputs("ac")
        assert [seeding.vary(k) for k in range(50)] != mixed
    finally:
        seeding.use_inputs("")


def test_use_inputs_puts_the_global_random_state_back():
    import random

    import torch

    state = seeding.random_state()
    first = (random.random(), torch.rand(2).tolist())
    seeding.use_inputs("", state)
    assert (random.random(), torch.rand(2).tolist()) == first


def test_variants_differ_per_student_and_version_and_default_to_none(tiny):
    assert inputs.variants_of(tiny, ASSIGNMENT, ["ann", "bob"]) == {"ann": "", "bob": ""}
    (tiny.root / "course.toml").write_text("[inputs]\nper_student = true\n")
    first = inputs.variants_of(tiny, ASSIGNMENT, ["ann", "bob"])
    assert first["ann"] != first["bob"] and all(len(v) == 16 for v in first.values())
    assert inputs.variants_of(tiny, ASSIGNMENT, ["ann"]) == {"ann": first["ann"]}  # stable
    _set_hidden(tiny, HIDDEN)  # a new version of the assignment: new inputs
    assert inputs.variants_of(tiny, ASSIGNMENT, ["ann"])["ann"] != first["ann"]


@pytest.mark.parametrize(
    "text", ["[inputs]\nper_student = 1\n", "[inputs]\nper_stuent = true\n", "[inputs\n", "inputs = true\n"]
)
def test_a_mistake_in_the_inputs_setting_is_refused_with_the_file_named(tiny, text):
    (tiny.root / "course.toml").write_text(text)
    with pytest.raises(UsageError, match="course.toml"):
        inputs.per_student(tiny.root)


def test_the_reference_notebook_copies_the_test_cells_that_draw_per_variant():
    from tiny_course import tiny_notebook

    nb = tiny_notebook()
    next(c for c in nb.cells if grade_id(c) == "add__hidden").source = HIDDEN
    ref = reference.notebook(nb, ["v1", "v2", "v3"])
    tests = [grade_id(c) for c in ref.cells if is_autograded_test(c)]
    # the visible tests draw nothing from vary: the same records for every variant, no copy
    assert tests == ["add__visible", "add__hidden@v1", "add__hidden@v2", "add__hidden@v3", "add__hidden"] + [
        "twice__visible"
    ]
    assert "use_inputs('v1')" in ref.cells[0].source
    assert len({c.id for c in ref.cells}) == len(ref.cells)  # nbformat refuses a notebook with repeated cell ids
    # a helper outside the tests that draws from vary: every test cell may depend on it
    nb.cells[2].source += "\nfrom course.seeding import vary\nSHIFT = vary(1)"
    tests = [grade_id(c) for c in reference.notebook(nb, ["v1", "v2"]).cells if is_autograded_test(c)]
    assert len(tests) == 3 * 3 and tests[:3] == ["add__visible@v1", "add__visible@v2", "add__visible"]
    assert reference.chunks([f"v{n}" for n in range(40)], 2) == [  # at most 8 in a run, at least one per worker
        [f"v{n}" for n in range(k, 40, 5)] for k in range(5)
    ]
    assert reference.chunks(["a"], 4) == [["a"]] and reference.chunks([], 2) == []


def test_each_student_is_graded_on_their_own_inputs_and_a_copied_table_fails(varied):
    _submit(varied, "ann", "def add(a, b):\n    return a + b\n")
    _submit(varied, "bob", "def add(a, b):\n    return a + b\n")
    graded = {s.student: s for s in grade_batch(varied, ASSIGNMENT, varied.submitted, OPTIONS)}
    ann, bob = graded["ann"], graded["bob"]
    assert (ann.score, ann.state, bob.score, bob.state) == (4.0, State.GRADED, 4.0, State.GRADED), (ann, bob)
    assert ann.inputs != bob.inputs and ann.inputs and bob.inputs
    assert len(_drawn(ann)) == DRAWS and not set(map(str, _drawn(ann))) & set(map(str, _drawn(bob)))
    # the same fixed case stays comparable: its expected value is the same for both
    fixed = [{r.get("inputs") for r in s.checks if r.get("id") == "add/negative"} for s in (ann, bob)]
    assert fixed[0] == fixed[1] and len(fixed[0]) == 1

    # carl hands in ann's outputs as a table: right for ann's inputs only
    table = (
        f"TABLE = {_drawn(ann)!r}\nCALLS = []\ndef add(a, b):\n    if (a, b) in ((1.0, 2.0), (-2.0, 0.5)):\n"
        "        return a + b\n    CALLS.append(1)\n    return TABLE[len(CALLS) - 1]\n"
    )
    _submit(varied, "carl", table)
    _submit(varied, "ann", table)  # and ann herself, to show the table is right for her inputs
    graded = {s.student: s for s in grade_batch(varied, ASSIGNMENT, varied.submitted, OPTIONS)}
    # ann's and bob's expected values were cached per variant: only carl's inputs needed a reference run
    assert _reference_lines(varied) == ["2 run(s) for 2 variant(s)", "1 run(s) for 1 variant(s)"]
    assert graded["ann"].score == 4.0
    carl = graded["carl"]
    assert carl.state is State.GRADED and carl.score == 2.0, carl
    assert [r.grade_id for r in carl.results if r.points < r.max_points] == ["add__hidden"]


def test_a_test_cell_that_leaves_state_for_its_next_run_is_refused_rather_than_trusted(varied):
    # each run of the cell sees one more entry: the copies record other values than the cell itself would
    _set_hidden(
        varied,
        "### BEGIN HIDDEN TESTS\nfrom course.seeding import vary\ntry:\n    SEEN.append(1)\nexcept NameError:\n"
        "    SEEN = [1]\nb = float(vary(1) % 7)\n"
        'check_close("add/seen", add(float(len(SEEN)), b), len(SEEN) + b, case="x")\n### END HIDDEN TESTS',
    )
    release(varied, ASSIGNMENT)
    _submit(varied, "ann", "def add(a, b):\n    return a + b\n")
    _submit(varied, "bob", "def add(a, b):\n    return a + b\n")
    one_run = GradeOptions(limits=OPTIONS.limits, jobs=1)  # both variants in one reference run
    for sub in grade_batch(varied, ASSIGNMENT, varied.submitted, one_run):
        assert sub.state is State.GRADER_FAULT, sub
        assert "add__hidden: run again with the same inputs" in sub.reason


def test_validate_with_seeds_grades_every_student_under_several_inputs(varied):
    verdicts = validate(varied, ASSIGNMENT, OPTIONS, seeds=3)
    assert all(v.ok for v in verdicts), [v for v in verdicts if not v.ok]
    rows = {v.student: v for v in verdicts}
    assert {"reference~2", "reference~3", "mutant-add_abs~3"} <= set(rows)
    assert "blank~2" not in rows
    assert rows["per-student inputs"].observed.startswith(f"{DRAWS} of {DRAWS + 1} hidden checks recorded other values")
    # a "correct variant" that is wrong for negative first operands: it passes the fixed cases, and some student's
    # drawn inputs show it
    variants = varied.variants / ASSIGNMENT
    variants.mkdir(parents=True)
    (variants / "add_abs_first.py").write_text(
        "# replaces: add_impl\n# why: wrong for a < 0 except at -2\n"
        "def add(a, b):\n    return a + b if a in (1.0, -2.0) else abs(a) + b\n"
    )
    verdicts = validate(varied, ASSIGNMENT, OPTIONS, seeds=3)
    missed = {v.student for v in verdicts if not v.ok}
    assert missed and missed <= {"variant-add_abs_first", "variant-add_abs_first~2", "variant-add_abs_first~3"}


def test_validate_draws_a_few_inputs_for_its_sample_class_and_the_reference_its_own():
    names = ["reference", "blank", *(f"mutant-m{n}" for n in range(20)), "variant-v"]
    students = again([sample_class.Student(n, {}, kind=n.split("-")[0]) for n in names], seeds=2)
    students.append(sample_class.Student("reference~2", {}))
    drawn = inputs_pool(students)
    assert not {"reference", "reference~2"} & set(drawn)  # their own inputs: the per-student row compares them
    first = {drawn[n] for n in names[1:]}
    second = {v for k, v in drawn.items() if k.endswith("~2")}
    assert 1 < len(first) <= INPUTS_POOL and 1 < len(second) <= INPUTS_POOL
    assert not first & second  # a second seed tries every bug on other inputs again
    # bugs of one item are spread over the pool, not all on one draw
    assert len({drawn[f"mutant-m{n}"] for n in range(INPUTS_POOL)}) == INPUTS_POOL


def test_without_per_student_inputs_the_row_says_so_and_every_student_shares_the_inputs(tiny):
    _set_hidden(tiny, HIDDEN)
    verdicts = validate(tiny, ASSIGNMENT, OPTIONS)
    row = next(v for v in verdicts if v.student == "per-student inputs")
    assert (
        row.ok
        and row.observed == f"0 of {DRAWS + 1} hidden checks recorded other values for another student (not asked for)"
    )
    (tiny.root / "course.toml").write_text("[inputs]\nper_student = true\n")
    _set_hidden(tiny, HIDDEN.replace("vary(7)", "7"))  # asked for, but the hidden test does not draw from vary
    row = next(v for v in validate(tiny, ASSIGNMENT, OPTIONS) if v.student == "per-student inputs")
    assert not row.ok and row.observed.startswith(f"0 of {DRAWS + 1}")
