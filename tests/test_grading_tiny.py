"""End to end on the tiny course: real kernels, the whole pipeline, the misbehaving students."""

import copy
import csv
import json
import subprocess
from dataclasses import replace

import nbformat
from cli_command import autograder
from tiny_course import ASSIGNMENT, code

from autograder.authoring import sample_class
from autograder.authoring.validate import validate
from autograder.core.submission import State
from autograder.handout.release import release
from autograder.isolation.execute import Limits
from autograder.reports.report import report
from autograder.stages.pipeline import GradeOptions, grade_batch, load_results, rows

OPTIONS = GradeOptions(limits=Limits(notebook_timeout=120, cell_timeout=20))
# the tiny notebook's cells take milliseconds: the infinite loop (graded twice) need not cost 20 s each time
QUICK_LOOP = replace(OPTIONS, limits=replace(OPTIONS.limits, cell_timeout=8))


def test_validate_accepts_the_tiny_assignment(tiny):
    variants = tiny.variants / ASSIGNMENT
    variants.mkdir(parents=True)
    (variants / "add_swapped.py").write_text(
        "# replaces: add_impl\n# why: operands swapped\ndef add(a, b):\n    return b + a\n"
    )
    verdicts = validate(tiny, ASSIGNMENT, OPTIONS)
    assert all(v.ok for v in verdicts), [v for v in verdicts if not v.ok]
    by_row = {v.student: v for v in verdicts}
    assert by_row["variant-add_swapped"].observed == "4/4"
    assert by_row["  check add/negative"].observed == "add_abs"  # the hidden check and the bug that proves it
    # the validator itself must be able to fail: a mutant that names the wrong item is a miss, and so is a
    # hidden test that no remaining mutant fails while passing the visible one, a "variant" that loses points,
    # and a test cell that ends in a value (nbgrader would read it as partial credit)
    (tiny.mutants / ASSIGNMENT / "add_abs.py").unlink()
    (tiny.mutants / ASSIGNMENT / "add_subtracts.py").write_text(
        "# replaces: add_impl\n# breaks: twice\n# bug: subtracts\ndef add(a, b):\n    return a - b\n"
    )
    (variants / "add_rounds.py").write_text(
        "# replaces: add_impl\n# why: not correct at all\ndef add(a, b):\n    return float(round(a + b))\n"
    )
    source = tiny.source_notebooks(ASSIGNMENT)[0]
    nb = nbformat.read(source, as_version=4)
    hidden = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add__hidden")
    hidden.source = hidden.source.replace("### END HIDDEN TESTS", '"done"\n### END HIDDEN TESTS')
    nbformat.write(nb, source)
    verdicts = validate(tiny, ASSIGNMENT, OPTIONS)
    missed = [v.student for v in verdicts if not v.ok]
    assert missed == ["test cells", "mutant-add_subtracts", "variant-add_rounds", "hidden add__hidden"]
    assert next(v for v in verdicts if v.student == "test cells").observed == "add__hidden end in a value"


def test_validate_leaves_the_course_gradebook_alone_after_the_notebook_changed(tiny):
    """Graded once, then the source gains a cell: nbgrader would refuse to re-release it into a gradebook with
    submissions, so validate releases into its scratch gradebook, and the course's keeps its grades."""
    students = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name == "reference"]
    sample_class.write(students, ASSIGNMENT, tiny.submitted)
    grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    source = tiny.source_notebooks(ASSIGNMENT)[0]
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(1, code("EXTRA = 1  # a new locked cell: nbgrader records it", "extra_setup", locked=True))
    nbformat.write(nb, source)
    verdicts = validate(tiny, ASSIGNMENT, OPTIONS)
    assert all(v.ok for v in verdicts), [v for v in verdicts if not v.ok]
    assert [(s.student, s.score) for s in load_results(tiny, ASSIGNMENT)] == [("reference", 4.0)]


def test_sample_class_grades_to_expected_points_and_states_twice_identically(tiny):
    sample_class.write(sample_class.build(tiny, ASSIGNMENT), ASSIGNMENT, tiny.submitted)
    bad = tiny.submitted / "garbage" / ASSIGNMENT
    bad.mkdir(parents=True)
    (bad / f"{ASSIGNMENT}.ipynb").write_text("not a notebook")
    first = grade_batch(tiny, ASSIGNMENT, tiny.submitted, QUICK_LOOP)
    got = {s.student: (s.score, s.state, s.reason) for s in first}
    assert got["reference"] == (4.0, State.GRADED, "")
    assert got["blank"][:2] == (0.0, State.GRADED)
    assert got["mutant-add_abs"][:2] == (2.0, State.GRADED)  # visible add passes, hidden fails
    assert got["mutant-add_subtracts"][:2] == (1.0, State.GRADED)
    assert got["cheats"][:2] == got["mutant-add_abs"][:2]  # the checks it replaced still ran
    assert got["deleted-test-cell"][:2] == (4.0, State.GRADED)
    assert got["warns"][:2] == (4.0, State.GRADED)
    assert got["huge-output"][:2] in ((4.0, State.GRADED), (4.0, State.STUDENT_FAULT))
    # crash after the first test cell: add__visible scored, the rest never ran
    assert got["crash"][:2] == (1.0, State.STUDENT_FAULT) and "kernel crashed" in got["crash"][2]
    assert got["infinite-loop"][:2] == (4.0, State.STUDENT_FAULT) and "timed out" in got["infinite-loop"][2]
    assert got["garbage"][:2] == (0.0, State.STUDENT_FAULT) and "unreadable" in got["garbage"][2]
    autograded = tiny.autograded / "huge-output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert autograded.stat().st_size < 3_000_000  # output capped while it arrived
    second = grade_batch(tiny, ASSIGNMENT, tiny.submitted, QUICK_LOOP)
    assert _timing_free(rows(first)) == _timing_free(rows(second))


def _timing_free(table: list[dict]) -> list[dict]:
    """huge-output's state depends on how fast 500k lines arrive (a busy machine times it out): keep its score."""
    return [
        {k: v for k, v in r.items() if r["student"] != "huge-output" or k not in ("state", "reason")} for r in table
    ]


def _logged_checks(course, student):
    path = course.autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.checks.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_check_logs_hold_no_expected_value_and_are_judged_outside(tiny):
    students = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name in ("reference", "mutant-add_abs")]
    sample_class.write(students, ASSIGNMENT, tiny.submitted)
    grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    reference = _logged_checks(tiny, "reference")
    assert [r["id"] for r in reference] == ["add/small", "add/negative", "twice/int"]
    # what the kernel wrote: the student's value only; passed and the message were decided by the grader
    assert all(r["withheld"] and r["expected"] is None and r["passed"] is True for r in reference)
    mutant = {r["id"]: r for r in _logged_checks(tiny, "mutant-add_abs")}
    assert mutant["add/small"]["passed"] is True and mutant["add/negative"]["passed"] is False
    assert "expected -1.5, got 2.5" in mutant["add/negative"]["message"]


def test_report_writes_one_csv_row_per_student_and_feedback_pages(tiny, tmp_path):
    students = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name in ("reference", "mutant-add_abs")]
    sample_class.write(students, ASSIGNMENT, tiny.submitted)
    grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    csv_path, pages, class_page = report(tiny, load_results(tiny, ASSIGNMENT), ASSIGNMENT, tmp_path / "out")
    with csv_path.open() as fh:
        table = list(csv.DictReader(fh))
    assert [(r["student"], r["add"], r["twice"], r["total"], r["state"]) for r in table] == [
        ("mutant-add_abs", "1", "1", "2", "graded"),
        ("reference", "3", "1", "4", "graded"),
    ]
    page = (tmp_path / "out" / "feedback" / "mutant-add_abs" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert len(pages) == 2 and "add/negative" in page and "0 / 2" in page and "BEGIN HIDDEN" not in page
    assert class_page == tmp_path / "out" / f"{ASSIGNMENT}_class.html" and "mutant-add_abs" in class_page.read_text()


# students who wrote the known bugs (and other things) in their own words: the diagnosis must come from the
# values their checks record, not from their source
OWN_WORDS = {
    "alice": ("add_impl", "def add(a, b):\n    return -(b - a)"),  # subtracts
    "bob": ("add_impl", "import math\ndef add(a, b):\n    return math.fabs(a) + math.fabs(b)"),  # ignores signs
    "carol": ("add_impl", "def add(a, b):\n    return a + b + 1"),  # a bug no mutant has
    "dave": ("add_impl", "def add(a, b):\n    return sum((a, b))"),  # correct, written differently
    "erin": ("twice_impl", "def twice(x):\n    return x ** 2"),  # squares
    "frank": ("add_impl", "def add(a, b):\n    raise ValueError('no')"),  # fails at the first check: unspecific
    "grace": ("add_impl", "def add(a, b):\n    return a - b if a > 0 else a + b"),  # subtracts, but only sometimes
}


def test_a_lost_item_is_diagnosed_as_the_known_bug_whose_values_it_reproduces(tiny, tmp_path):
    verdicts = {v.student: v for v in validate(tiny, ASSIGNMENT, OPTIONS)}  # files the known bugs' values
    assert verdicts["diagnosis"].ok and verdicts["diagnosis"].observed.startswith("3 of 3 alone")
    reference = next(s for s in sample_class.build(tiny, ASSIGNMENT) if s.name == "reference")
    for student, (cell, source) in OWN_WORDS.items():
        nb = sample_class.with_cell(reference.notebooks[ASSIGNMENT], cell, source)
        folder = tiny.submitted / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    subs = {s.student: s for s in grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)}

    def named(student):
        return {r.item: sorted(d["bug"] for d in r.diagnosis) for r in subs[student].results if r.diagnosis}

    assert named("alice") == {"add": ["subtracts"]}
    assert named("bob") == {"add": ["ignores signs"]}
    assert named("erin") == {"twice": ["squares"]}
    for student in ("carol", "dave", "frank", "grace"):
        assert named(student) == {}, student
    assert subs["dave"].score == 4.0 and subs["carol"].score < 4.0 and subs["grace"].score < 4.0
    # the feedback says it in the bug's words, only on the lost item; the class page counts it
    page = (tiny.reports / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert page.count("Looks like") == 1 and "<b>subtracts</b>" in page
    assert "Looks like" not in (tiny.reports / "feedback" / "carol" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    _, _, class_page = report(tiny, load_results(tiny, ASSIGNMENT), ASSIGNMENT, tmp_path / "out")
    assert "ignores signs" in class_page.read_text() and "squares" in class_page.read_text()


def test_a_table_learned_after_grading_reaches_the_report(tiny, tmp_path):
    """Graded first, validated later: ``report`` diagnoses from the kept check records."""
    students = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name in ("reference", "mutant-add_abs")]
    sample_class.write(students, ASSIGNMENT, tiny.submitted)
    grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    assert not any(r.diagnosis for s in load_results(tiny, ASSIGNMENT) for r in s.results)
    validate(tiny, ASSIGNMENT, OPTIONS)
    subs = load_results(tiny, ASSIGNMENT)
    report(tiny, subs, ASSIGNMENT, tmp_path / "out")
    diagnosed = {s.student: [d["bug"] for r in s.results for d in r.diagnosis] for s in subs}
    assert diagnosed == {"mutant-add_abs": ["ignores signs"], "reference": []}
    page = tmp_path / "out" / "feedback" / "mutant-add_abs" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert "<b>ignores signs</b>" in page.read_text()


def test_unchanged_submissions_are_kept_unless_forced(tiny):
    students = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name in ("reference", "blank")]
    sample_class.write(students, ASSIGNMENT, tiny.submitted)
    first = grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    kept = grade_batch(tiny, ASSIGNMENT, tiny.submitted, replace(OPTIONS, force=False))
    assert rows(kept) == rows(first)
    assert [s.timings for s in kept] == [s.timings for s in first]  # read back, not run again
    # a submission changed since its grading is graded again even without --force
    notebook = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    (tiny.submitted / "blank" / notebook).write_bytes((tiny.submitted / "reference" / notebook).read_bytes())
    again = grade_batch(tiny, ASSIGNMENT, tiny.submitted, replace(OPTIONS, force=False))
    assert {s.student: s.score for s in again} == {"blank": 4.0, "reference": 4.0}
    assert again[1].timings == first[1].timings and again[0].timings != first[0].timings


def test_graded_only_skips_the_ungraded_tail(tiny):
    (reference,) = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name == "reference"]
    dies = nbformat.v4.new_code_cell("import os\nos._exit(1)  # an experiment that dies")
    reference.notebooks[ASSIGNMENT].cells.append(dies)
    sample_class.write([reference], ASSIGNMENT, tiny.submitted)
    (full,) = grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    assert full.score == 4.0 and full.state is State.STUDENT_FAULT and "kernel crashed" in full.reason
    (trimmed,) = grade_batch(tiny, ASSIGNMENT, tiny.submitted, replace(OPTIONS, graded_only=True))
    assert (trimmed.score, trimmed.state) == (4.0, State.GRADED)


def test_the_reference_run_leaves_out_the_ungraded_tail_even_where_students_run_in_full(tiny):
    """Only its records matter, and the tail records nothing a score reads: an experiment of the source that dies
    costs the reference run nothing (before, it made every student a grader fault) and costs a student who runs
    it in full their kernel, not their points."""
    source = tiny.source_notebooks(ASSIGNMENT)[0]
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os\nos._exit(1)  # an experiment that dies"))
    nbformat.write(nb, source)
    release(tiny, ASSIGNMENT)
    (reference,) = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name == "reference"]
    sample_class.write([reference], ASSIGNMENT, tiny.submitted)
    (full,) = grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    assert (full.score, full.state) == (4.0, State.STUDENT_FAULT) and "kernel crashed" in full.reason, full.reason


def test_a_reference_that_cannot_vouch_for_a_test_cell_makes_the_batch_a_grader_fault(tiny):
    """A test cell of the source that records no check (a bare assert) cannot be verified outside the kernel:
    nobody is charged, everyone is a grader fault naming the cell (a student whose kernel crashed too: they would
    be scored on the cells before the crash, without an expected side), and nothing is cached."""
    source = tiny.source_notebooks(ASSIGNMENT)[0]
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "twice__visible")
    cell.source = "assert twice(21) == 42"
    nbformat.write(nb, source)
    release(tiny, ASSIGNMENT)
    students = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name in ("reference", "blank")]
    crashes = copy.deepcopy(next(s for s in students if s.name == "reference").notebooks)
    crashes[ASSIGNMENT].cells.append(nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    students.append(sample_class.Student("crashes", crashes, kind="misbehaving"))
    sample_class.write(students, ASSIGNMENT, tiny.submitted)
    subs = grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)
    assert len(subs) == 3 and {s.state for s in subs} == {State.GRADER_FAULT}, [(s.student, s.state) for s in subs]
    assert all("twice__visible records no check" in s.reason for s in subs), [s.reason for s in subs]
    assert not list((tiny.root / ".work" / "reference").rglob("*.json.gz"))


def test_the_reference_run_is_cached_and_the_recheck_works_without_the_sandbox(tiny):
    students = [s for s in sample_class.build(tiny, ASSIGNMENT) if s.name in ("reference", "skips-tests")]
    sample_class.write(students, ASSIGNMENT, tiny.submitted)
    first = {s.student: s for s in grade_batch(tiny, ASSIGNMENT, tiny.submitted, OPTIONS)}
    (cached,) = list((tiny.root / ".work" / "reference" / ASSIGNMENT).glob("*.json.gz"))
    stamp = cached.stat().st_mtime_ns
    result = subprocess.run(
        autograder("grade", ASSIGNMENT, "--force", "--no-sandbox", course=tiny),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert cached.stat().st_mtime_ns == stamp  # the same version: no second reference run
    again = {s.student: s for s in load_results(tiny, ASSIGNMENT)}
    for subs in (first, again):
        assert (subs["reference"].score, subs["reference"].state) == (4.0, State.GRADED)
        # every cell after the first test cell became `pass`: nbgrader alone would give 4 / 4
        assert (subs["skips-tests"].score, subs["skips-tests"].state) == (1.0, State.TAMPERING)
    assert "tampering suspected" in result.stdout
