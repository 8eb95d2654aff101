"""Timing runs for DESIGN.md section 8 (printed, never asserted).

    .venv/bin/python scripts/benchmark.py [ASSIGNMENT] [--full] [--students N]
    .venv/bin/python scripts/benchmark.py --notebooks     # every assignment, FAST=True and FAST=False
    .venv/bin/python scripts/benchmark.py --lab           # seconds until `autograder lab` serves
    .venv/bin/python scripts/benchmark.py --sandbox-cost [ASSIGNMENT] [--students N]

Prints:
- the reference notebook's wall time under plain papermill with FAST=True (and FAST=False with --full);
- grading the first N students of the sample class with ``autograder``, one worker: wall time per submission,
  the time inside cells (papermill's per-cell durations) and the overhead beyond them;
- the same submissions through plain ``nbgrader autograde`` (its own Execute preprocessor), and the ratio;
- peak resident memory of the grading process and of the largest kernel.
With --sandbox-cost: what the sandbox and the outside re-check add per notebook (the same submissions graded
without and with the sandbox, one worker, alternating runs; the re-check timed on its own), and the one-time
reference run per assignment version.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from autograder import sample_class
from autograder.course_dir import DEFAULT_ROOT, CourseDir
from autograder.execute import Limits
from autograder.markup import strip_markers
from autograder.pipeline import GradeOptions, grade_batch
from autograder.release import release


def papermill_time(source: Path, fast: bool) -> float:
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        cell.source = strip_markers(cell.source)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        papermill.execute_notebook(
            nb,
            str(Path(tmp) / "out.ipynb"),
            parameters={"FAST": fast},
            kernel_name="python3",
            progress_bar=False,
            cwd=tmp,
        )
        return time.perf_counter() - started


def cell_seconds(nb_path: Path) -> float:
    nb = nbformat.read(nb_path, as_version=4)
    return sum(float(c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells)


def notebooks() -> None:
    """Each reference under plain papermill: budgets 60 s with FAST=True and 5 min with FAST=False."""
    course = CourseDir(DEFAULT_ROOT)
    print(f"{'assignment':20s} {'FAST=True':>10s} {'FAST=False':>11s}")
    for name in course.assignments():
        source = course.source_notebooks(name)[0]
        fast, full = papermill_time(source, True), papermill_time(source, False)
        print(f"{name:20s} {fast:8.1f} s {full:9.1f} s", flush=True)


def lab_serve_time() -> None:
    """What `make lab` costs once the venv exists: release, exchange, copies, JupyterLab answering."""
    import os
    import urllib.request

    from autograder import lab

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        shutil.copytree(DEFAULT_ROOT / "source", root / "source")
        course = CourseDir(root)
        started = time.perf_counter()
        proc, url = lab.start(course, root / "student", "127.0.0.1", 8897, dict(os.environ))
        try:
            lab.wait_until_serving(url, proc)
            served = time.perf_counter() - started
            with urllib.request.urlopen(url, timeout=60) as page:  # noqa: S310 - our own server
                page.read()
            page_after = time.perf_counter() - started
            print(f"autograder lab: serving after {served:.1f} s, first /lab page after {page_after:.1f} s")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def sandbox_cost(assignment: str, count: int, rounds: int = 2) -> None:
    from autograder import reference
    from autograder.verify import verify

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        shutil.copytree(DEFAULT_ROOT / "source", root / "source")
        shutil.copytree(DEFAULT_ROOT / "mutants", root / "mutants")
        course = CourseDir(root)
        release(course, assignment)
        students = [s for s in sample_class.build(course, assignment, misbehaving=False)][:count]
        sample_class.write(students, assignment, course.submitted)
        base = GradeOptions(jobs=1, graded_only=True, limits=Limits(notebook_timeout=600, cell_timeout=120))
        started = time.perf_counter()
        grade_batch(course, assignment, course.submitted, base)  # makes the reference records (once per version)
        first = time.perf_counter() - started
        walls: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(rounds):
            for sandbox in (False, True):
                options = GradeOptions(**{**base.__dict__, "sandbox": sandbox})
                started = time.perf_counter()
                subs = grade_batch(course, assignment, course.submitted, options)
                walls[sandbox].append((time.perf_counter() - started) / len(subs))
        key = reference.version_key(course, assignment, base.parameters(), base.sandbox_spec([]).cuda)
        cells = reference.load(course, assignment, key)
        started = time.perf_counter()
        for sub in subs:
            verify(sub.checks, cells[sub.notebook_name])
        recheck = (time.perf_counter() - started) / len(subs)
    off, on = min(walls[False]), min(walls[True])
    print(f"== {assignment}: {len(subs)} submissions (graded-only), one worker, best of {rounds} rounds")
    print(f"without sandbox: {off:6.2f} s per notebook")
    print(f"with sandbox   : {on:6.2f} s per notebook  (sandbox adds {on - off:+.2f} s)")
    added = on - off + recheck
    print(f"outside re-check (verify.py): {recheck * 1000:.1f} ms per notebook; total added {added:+.2f} s")
    print(f"first grading (including the one-time reference run): {first:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="01_optimizers")
    parser.add_argument("--full", action="store_true", help="also time FAST=False (minutes)")
    parser.add_argument("--students", type=int, default=6, help="sample-class students to grade (default 6)")
    parser.add_argument("--notebooks", action="store_true", help="only: every reference, FAST=True and False")
    parser.add_argument("--lab", action="store_true", help="only: seconds until `autograder lab` serves")
    parser.add_argument("--sandbox-cost", action="store_true", help="only: what the sandbox and re-check add")
    args = parser.parse_args()
    if args.sandbox_cost:
        return sandbox_cost(args.assignment, args.students)
    if args.notebooks:
        return notebooks()
    if args.lab:
        return lab_serve_time()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        shutil.copytree(DEFAULT_ROOT / "source", root / "source")
        shutil.copytree(DEFAULT_ROOT / "mutants", root / "mutants")
        course = CourseDir(root)
        source = course.source_notebooks(args.assignment)[0]
        # nbgrader cannot inject parameters: give both graders the same FAST=True notebook to compare
        nb = nbformat.read(source, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace("FAST = False", "FAST = True")
        nbformat.write(nb, source)

        print(f"== {args.assignment}: reference under plain papermill")
        print(f"FAST=True : {papermill_time(source, True):6.1f} s")
        if args.full:
            print(f"FAST=False: {papermill_time(source, False):6.1f} s")

        release(course, args.assignment)
        students = [s for s in sample_class.build(course, args.assignment, misbehaving=False)][: args.students]
        sample_class.write(students, args.assignment, course.submitted)
        print(f"\n== grading {len(students)} sample-class submissions, one worker")
        options = GradeOptions(jobs=1, limits=Limits(notebook_timeout=600, cell_timeout=120))
        started = time.perf_counter()
        subs = grade_batch(course, args.assignment, course.submitted, options)
        ours = time.perf_counter() - started
        inside = sum(
            cell_seconds(course.autograded / s.student / args.assignment / f"{s.notebook_name}.ipynb") for s in subs
        )
        n = len(subs)
        print(
            f"autograder: {ours:6.1f} s total, {ours / n:5.1f} s per submission, "
            f"{inside / n:5.1f} s in cells, overhead {(ours - inside) / n:5.1f} s per submission"
        )

        # plain nbgrader autograde on the same submissions (its Execute preprocessor, one process)
        nbgrader = Path(sys.executable).with_name("nbgrader")
        shutil.rmtree(course.autograded)
        started = time.perf_counter()
        done = subprocess.run(
            [str(nbgrader), "autograde", args.assignment, "--force", "--ExecutePreprocessor.timeout=600"],
            cwd=root,
            capture_output=True,
            text=True,
        )
        plain = time.perf_counter() - started
        status = "" if done.returncode == 0 else f" (exit {done.returncode})"
        print(f"nbgrader autograde: {plain:6.1f} s total, {plain / n:5.1f} s per submission{status}")
        print(
            f"ratio autograder / nbgrader autograde: {ours / plain:.2f} "
            f"(ours also injects FAST=True, restores, caps output and writes feedback)"
        )

    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak RSS: grading process {self_rss:.0f} MiB, largest child (worker or kernel) {child_rss:.0f} MiB")


if __name__ == "__main__":
    main()
