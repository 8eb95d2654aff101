"""``autograder validate``: prove an assignment right by grading its own material.

Rules (DESIGN.md section 6): the grading form of the tests computes nothing that only the expected side needs
(withhold.py); the reference, graded in the grading form, earns every autograded point and raises no flag (its own
code must not call what an item forbids, in its source or at run time), and so does every correct variant (a
solution written differently); no test
cell leaves an output value (nbgrader would read a number there as partial credit); the blank release earns 0;
each mutant loses points on the item it names and only there; and every hidden test cell is failed by at least
one mutant that passes that item's visible test (a hidden test nothing can fail is not finished). For each hidden
check the table names the mutants it catches first, so a new check shows the known bug that proves it.
Grading uses a gradebook of its own under ``.work/`` so the course gradebook is never touched.

Per-student inputs (inputs.py): the reference is graded with the inputs of its own name, the other students with
those of a few more (``INPUTS_POOL``, spread over them in turn), so every known bug is tried on other inputs than
the reference's, and the reference run computes a few variants rather than one per student (most of validate's
time otherwise); ``seeds`` > 1 grades each of them again under that many names (``reference~2``, ...), each seed
with a pool of its own, so that the reference and the correct variants must keep full marks, and every bug lose
its item, under every one. The "per-student inputs" row counts the hidden checks that recorded other values
for a second student with the reference's code (``reference~2``, added for it): 0 is a miss when the course asks
for per-student inputs.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass

from autograder.authoring import sample_class
from autograder.core.course_dir import CourseDir
from autograder.core.markup import grade_id, is_autograded_test
from autograder.core.submission import State, Submission
from autograder.handout.release import release
from autograder.stages import diagnosis
from autograder.stages.pipeline import GradeOptions, grade_batch
from autograder.trust import inputs, withhold


@dataclass
class Verdict:
    student: str
    expectation: str
    observed: str
    ok: bool


def points(sub: Submission) -> dict[str, tuple[float, float]]:
    """Points and maximum per autograded cell (what two gradings of one submission must agree on); written
    answers wait for a person, so they prove nothing about the tests."""
    return {r.grade_id: (r.points, r.max_points) for r in sub.results if not r.manual}


def judge(students: list[sample_class.Student], graded: dict[str, Submission]) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for student in students:
        sub = graded[student.name]
        pts = points(sub)
        if sub.state is not State.GRADED:
            verdicts.append(Verdict(student.name, "graded", f"{sub.state.value}: {sub.reason}", False))
            continue
        if student.kind in ("reference", "variant"):
            lost = [g for g, (p, m) in pts.items() if p < m]
            written = sum(r.max_points for r in sub.results if r.manual)
            observed = f"{sum(p for p, _ in pts.values()):g}/{sum(m for _, m in pts.values()):g}"
            observed += f" (+{written:g} written, graded by hand)" if written else ""
            observed += f", lost {', '.join(lost)}" if lost else ""
            observed += f", flagged: {'; '.join(sub.flags)}" if sub.flags else ""
            ok = not lost and bool(pts) and not sub.flags
            verdicts.append(Verdict(student.name, "full marks, no flag", observed, ok))
            if student.name == "reference":
                verdicts.append(output_values(sub))
        elif student.kind == "blank":
            verdicts.append(Verdict(student.name, "0 points", f"{sub.score:g}/{sub.max_score:g}", sub.score == 0))
        elif student.kind == "mutant" and student.mutant is not None:
            item = student.mutant.breaks
            lost_here = [g for g, (p, m) in pts.items() if p < m and g.split("__")[0] == item]
            lost_elsewhere = [g for g, (p, m) in pts.items() if p < m and g.split("__")[0] != item]
            observed = f"lost {', '.join(lost_here) or 'nothing'}" + (
                f"; also lost {', '.join(lost_elsewhere)}" if lost_elsewhere else ""
            )
            verdicts.append(
                Verdict(student.name, f"loses on {item} only", observed, bool(lost_here) and not lost_elsewhere)
            )
    verdicts += hidden_coverage(students, graded)
    return verdicts


def output_values(reference: Submission) -> Verdict:
    """No test cell may end in a value: its repr becomes an ``execute_result`` that nbgrader parses for a score."""
    cells = [
        grade_id(c)
        for c in (reference.nb.cells if reference.nb is not None else [])
        if is_autograded_test(c) and any(o.get("output_type") == "execute_result" for o in c.get("outputs", []))
    ]
    observed = f"{', '.join(cells)} end in a value" if cells else "none"
    return Verdict("test cells", "no output value", observed, not cells)


def first_failed_check(sub: Submission, cell: str, reference: list[dict]) -> str | None:
    """The check of ``cell`` that stopped ``sub``: its first failed record, or, when the cell raised before
    recording a failure, the reference's next check after those it passed."""
    mine = [r for r in sub.checks if r.get("cell") == cell]
    for n, record in enumerate(mine):
        if record.get("passed") is not True:
            return str(record.get("id"))
        if n >= len(reference):
            return None
    return str(reference[len(mine)]["id"]) if len(mine) < len(reference) else None


def hidden_coverage(students: list[sample_class.Student], graded: dict[str, Submission]) -> list[Verdict]:
    """Each hidden test cell must be failed by a mutant that passes the visible cell of the same item."""
    reference = graded["reference"]
    hidden = [r.grade_id for r in reference.results if r.hidden]
    verdicts = []
    for cell in hidden:
        item = cell.split("__")[0]
        killers = []
        for student in students:
            if student.kind != "mutant":
                continue
            pts = points(graded[student.name])
            visible_ok = all(
                p == m
                for g, (p, m) in pts.items()
                if g.split("__")[0] == item
                and g != cell
                and not any(r.grade_id == g and r.hidden for r in reference.results)
            )
            if cell in pts and pts[cell][0] < pts[cell][1] and visible_ok:
                killers.append(student.name.removeprefix("mutant-"))
        verdicts.append(
            Verdict(
                f"hidden {cell}",
                "failed by a mutant passing the visible test",
                ", ".join(killers) or "no mutant fails it",
                bool(killers),
            )
        )
        verdicts += _check_rows(cell, killers, graded)
    return verdicts


def _check_rows(cell: str, killers: list[str], graded: dict[str, Submission]) -> list[Verdict]:
    """Which known bug each check of a hidden cell catches first (shown, not required: one bug may need two)."""
    reference = [r for r in graded["reference"].checks if r.get("cell") == cell]
    caught: dict[str, list[str]] = {}
    for name in killers:
        check = first_failed_check(graded[f"mutant-{name}"], cell, reference)
        if check is not None:
            caught.setdefault(check, []).append(name)
    ids = list(dict.fromkeys(str(r["id"]) for r in reference))
    return [
        Verdict(f"  check {check}", "catches a known bug first", ", ".join(caught.get(check, [])) or "-", True)
        for check in ids
    ]


SEED_MARK = "~"  # reference~2: the reference again, as another student (another variant of the inputs)
# names whose inputs the sample class draws: with the reference's own and reference~2's, one reference run's worth
INPUTS_POOL = 6


def again(students: list[sample_class.Student], seeds: int) -> list[sample_class.Student]:
    """``students`` and, for ``seeds`` > 1, each of them (the blank release aside) under ``seeds - 1`` more names."""
    more = [
        dataclasses.replace(s, name=f"{s.name}{SEED_MARK}{n}")
        for n in range(2, seeds + 1)
        for s in students
        if s.kind != "blank"
    ]
    return students + more


def grade_material(
    course: CourseDir, assignment: str, options: GradeOptions, label: str = "validate", seeds: int = 1
) -> tuple[list[sample_class.Student], dict[str, Submission]]:
    """Grade the reference, the blank release, every mutant and every correct variant in a scratch gradebook
    under ``.work/<label>-*``, ``seeds`` times each (see ``again``)."""
    work = course.work(f"{label}-{assignment}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # released into the scratch gradebook too: the course's may hold submissions of an older version of the
    # notebook, and nbgrader refuses to add or remove its cells there
    scratch = CourseDir(course.root, f"sqlite:///{work / 'gradebook.db'}")
    release(scratch, assignment)
    students = again(sample_class.build(course, assignment, misbehaving=False, variants=True), seeds)
    if seeds == 1 and inputs.per_student(course.root):  # a second reference to compare its inputs with
        students += [dataclasses.replace(s, name=f"{s.name}{SEED_MARK}2") for s in students if s.kind == "reference"]
    submissions = work / "submitted"
    sample_class.write(students, assignment, submissions)
    drawn_as = inputs_pool(students)
    graded = {
        s.student: s
        for s in grade_batch(scratch, assignment, submissions, options, output_root=work, inputs_drawn_as=drawn_as)
    }
    return students, graded


def inputs_pool(students: list[sample_class.Student]) -> dict[str, str]:
    """``{student: name}``: every student but the reference (each seed's) draws the inputs of one of
    ``INPUTS_POOL`` names of its seed, in turn."""
    drawn: dict[str, str] = {}
    turn: dict[str, int] = {}
    for s in students:
        base, _, seed = s.name.partition(SEED_MARK)
        if base == "reference":
            continue
        n = turn.get(seed, 0)
        turn[seed] = n + 1
        drawn[s.name] = f"inputs-{n % INPUTS_POOL}{SEED_MARK + seed if seed else ''}"
    return drawn


def learn_known_bugs(
    course: CourseDir, assignment: str, students: list[sample_class.Student], graded: dict[str, Submission]
) -> list[Verdict]:
    """File what each mutant's checks recorded (diagnosis.py), then say how many mutants the table tells
    apart: a mutant whose failures are only exceptions or NaN cannot be named, two with the same values are
    named together (shown, not required)."""
    mutants = {s.name: s.mutant for s in students if s.kind == "mutant" and SEED_MARK not in s.name}
    table = diagnosis.learn(course, assignment, mutants, graded)
    if table is None:
        return [Verdict("diagnosis", "known bugs filed", "no graded reference to file them under", False)]
    diagnosis.save(course, table)
    alone, shared, unnamed, wrong = [], [], [], []
    for student, mutant in mutants.items():
        # a copy of the results only: diagnose writes into them (the notebook need not be copied)
        sub = dataclasses.replace(graded[student], results=[dataclasses.replace(r) for r in graded[student].results])
        named = {d["mutant"] for r in diagnosis.diagnose(sub, sub.checks, table).results for d in r.diagnosis}
        if not named:
            unnamed.append(mutant.name)
        elif mutant.name not in named:
            wrong.append(f"{mutant.name} as {', '.join(sorted(named))}")
        elif len(named) == 1:
            alone.append(mutant.name)
        else:
            shared.append(" = ".join(sorted(named)))
    observed = f"{len(alone)} of {len(mutants)} alone"
    observed += f"; together: {', '.join(sorted(set(shared)))}" if shared else ""
    observed += f"; not nameable (exceptions or NaN only): {', '.join(unnamed)}" if unnamed else ""
    observed += f"; WRONG: {'; '.join(wrong)}" if wrong else ""
    return [Verdict("diagnosis", "each mutant recognised as itself", observed, not wrong)] + _across_inputs(
        students, graded, table
    )


def _across_inputs(
    students: list[sample_class.Student], graded: dict[str, Submission], table: diagnosis.Table
) -> list[Verdict]:
    """With ``seeds`` > 1: the mutants graded under other students' inputs, diagnosed with the table filed from
    the first seed (where a bug shows only in drawn values, its failing case can differ: shown, not required)."""
    others = [s for s in students if s.kind == "mutant" and SEED_MARK in s.name and s.mutant is not None]
    if not others:
        return []
    named, wrong = 0, []
    for student in others:
        sub = graded[student.name]
        sub = dataclasses.replace(sub, results=[dataclasses.replace(r) for r in sub.results])
        found = {d["mutant"] for r in diagnosis.diagnose(sub, sub.checks, table).results for d in r.diagnosis}
        named += student.mutant.name in found
        wrong += [student.name] if found and student.mutant.name not in found else []
    observed = f"{named} of {len(others)} named" + (f"; named as another bug: {', '.join(wrong)}" if wrong else "")
    return [Verdict("diagnosis, other inputs", "shown, not required", observed, True)]


def grading_form(course: CourseDir, assignment: str) -> Verdict:
    """The static half of the proof that no expected value runs in a student's process (withhold.py): nothing
    the grading form still computes was needed only by the expected side. The dynamic half is the reference
    graded in the grading form: any use of a withheld value there raises, and it must still earn every point."""
    left = withhold.expected_side_left(course, assignment)
    observed = "; ".join(left) if left else "none"
    return Verdict("grading form", "no expected side computed in the kernel", observed, not left)


def per_student_inputs(course: CourseDir, graded: dict[str, Submission]) -> Verdict:
    """How many of the reference's hidden checks recorded other values (what the student's code returned, or the
    expected value) as another student with the same code (``reference~2``): drawn from their own inputs."""
    reference, again_ = graded["reference"], graded.get(f"reference{SEED_MARK}2")
    hidden = {r.grade_id for r in reference.results if r.hidden}

    def values(sub: Submission | None) -> dict[tuple, tuple]:
        records = sub.checks if sub is not None else []
        return {(r.get("cell"), r.get("id"), r.get("case")): (repr(r.get("got")), r.get("inputs")) for r in records}

    mine, other = values(reference), values(again_)
    keys = [k for k in mine if k[0] in hidden]
    varied = sum(other.get(k, mine[k]) != mine[k] for k in keys)
    on = inputs.per_student(course.root)
    observed = f"{varied} of {len(keys)} hidden checks recorded other values for another student"
    observed += "" if on else " (not asked for)"
    expectation = "hidden inputs differ per student" if on else "-"
    return Verdict("per-student inputs", expectation, observed, bool(varied) or not on)


def validate(course: CourseDir, assignment: str, options: GradeOptions, seeds: int = 1) -> list[Verdict]:
    students, graded = grade_material(course, assignment, options, seeds=seeds)
    return (
        [grading_form(course, assignment)]
        + judge(students, graded)
        + [per_student_inputs(course, graded)]
        + learn_known_bugs(course, assignment, students, graded)
    )
