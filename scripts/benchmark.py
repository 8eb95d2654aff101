"""Timing runs for DESIGN.md section 8 (printed, never asserted).

    .venv/bin/python scripts/benchmark.py [ASSIGNMENT] [--full] [--students N] [--jobs J] [--cold] [--dask]
    .venv/bin/python scripts/benchmark.py --notebooks     # every assignment, FAST=True and FAST=False
    .venv/bin/python scripts/benchmark.py --lab           # seconds until `autograder lab` serves
    .venv/bin/python scripts/benchmark.py --sandbox-cost [ASSIGNMENT] [--students N]
    .venv/bin/python scripts/benchmark.py --guard-cost [ASSIGNMENT] [--students N]
    .venv/bin/python scripts/benchmark.py --inputs-cost [ASSIGNMENT] [--students N] [--jobs J]

Prints:
- the reference notebook's wall time under plain papermill with FAST=True (and FAST=False with --full);
- N submissions (default 40: the sample class, known bugs and variants, repeated if short) through plain
  ``nbgrader autograde`` (its own Execute preprocessor, one process) and through ``autograder`` (--jobs workers,
  default 2, sandbox on, kernels forked by each worker's fork server where the grader runs as root, warm
  kernels; --cold adds a run without warm kernels and fork servers): wall times, the speed-up, per notebook the
  time in cells and the overhead beyond them (and by stage), a blank release notebook's time, a worker's peak
  memory;
  with --dask the same batch through ``--scheduler`` on a local Dask cluster of 1 and of 2 workers;
- peak resident memory of the grading process.
With --sandbox-cost: what the sandbox and the outside re-check add per notebook (the same submissions graded
without and with the sandbox, one worker, alternating runs; the re-check timed on its own), and the one-time
reference run per assignment version.
With --inputs-cost: what per-student inputs cost (inputs.py): the reference runs' kernel seconds against the
students' own, for a batch with the inputs shared and with per-student inputs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import papermill

from autograder.authoring import sample_class
from autograder.core import sources
from autograder.core.course_dir import DEFAULT_ROOT, CourseDir
from autograder.core.markup import strip_markers
from autograder.handout.release import release
from autograder.isolation import forkserver
from autograder.isolation.execute import Limits
from autograder.isolation.sandbox import process_tree
from autograder.stages.batch_log import REFERENCE
from autograder.stages.pipeline import GradeOptions, grade_batch


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

    from autograder.jupyter import lab

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


def _small_class(tmp: str, assignment: str, count: int) -> tuple[CourseDir, GradeOptions]:
    """A copy of the course with the first ``count`` students of the sample class submitted, and the options
    both cost measurements grade it with (one worker, graded-only)."""
    root = Path(tmp) / "course"
    shutil.copytree(DEFAULT_ROOT / "source", root / "source")
    shutil.copytree(DEFAULT_ROOT / "mutants", root / "mutants")
    course = CourseDir(root)
    release(course, assignment)
    students = [s for s in sample_class.build(course, assignment, misbehaving=False)][:count]
    sample_class.write(students, assignment, course.submitted)
    return course, GradeOptions(jobs=1, graded_only=True, limits=Limits(notebook_timeout=600, cell_timeout=120))


def sandbox_cost(assignment: str, count: int, rounds: int = 2) -> None:
    from autograder.trust import reference
    from autograder.trust.verify import verify

    with tempfile.TemporaryDirectory() as tmp:
        course, base = _small_class(tmp, assignment, count)
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


class WorkerMemory:
    """Peak resident memory of each direct child of this process (a grading worker, without its kernels) and of
    each worker's fork server (the sandboxed process its kernels are forked from), sampled every 0.2 s while a
    batch runs."""

    def __init__(self) -> None:
        self.peak = 0
        self.server_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")

        def rss(pid: int) -> int:
            try:
                with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                    return int(fh.read().split()[1]) * page
            except (OSError, ValueError, IndexError):
                return 0

        while not self._stop.wait(0.2):
            tree = process_tree()
            for worker in tree.get(os.getpid(), []):
                self.peak = max(self.peak, rss(worker))
                todo = list(tree.get(worker, []))
                while todo:  # the fork server: bubblewrap's grandchild running forkserver_inside.py
                    pid = todo.pop()
                    if _is_fork_server(pid):
                        self.server_peak = max(self.server_peak, rss(pid))
                    else:
                        todo.extend(tree.get(pid, []))

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _is_fork_server(pid: int) -> bool:
    """``python -c <forkserver_inside.py>`` (bubblewrap's own command line holds the same text further on)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read(4096).split(b"\0")
    except OSError:
        return False
    return len(argv) > 2 and argv[0] == sys.executable.encode() and argv[1] == b"-c" and FORK_SERVER_MARK in argv[2]


FORK_SERVER_MARK = forkserver.SOURCE.splitlines()[0].encode()  # the first line of the program it runs


def class_of(course: CourseDir, assignment: str, n: int) -> list[sample_class.Student]:
    """The first ``n`` students of the sample class (reference, blank, known bugs, variants), repeated if short."""
    everyone = sample_class.build(course, assignment, misbehaving=False, variants=True)
    return [
        sample_class.Student(f"{s.name}-{k // len(everyone)}" if k >= len(everyone) else s.name, s.notebooks)
        for k, s in ((k, everyone[k % len(everyone)]) for k in range(n))
    ]


def ours(course: CourseDir, assignment: str, jobs: int, warm_kernels: bool, scheduler: str | None = None) -> float:
    shutil.rmtree(course.autograded, ignore_errors=True)
    options = GradeOptions(
        jobs=jobs,
        warm_kernels=warm_kernels,
        scheduler=scheduler,
        limits=Limits(notebook_timeout=600, cell_timeout=120),
    )
    with WorkerMemory() as memory:
        started = time.perf_counter()
        subs = grade_batch(course, assignment, course.submitted, options)
        wall = time.perf_counter() - started
    n = len(subs)
    paths = {s.student: course.autograded / s.student / assignment / f"{s.notebook_name}.ipynb" for s in subs}
    inside = {s.student: cell_seconds(paths[s.student]) for s in subs}
    # per notebook, what the grader adds beyond the notebook's own cells: its execution minus the cells, plus
    # every stage of ours before and after it (independent of how many run at once)
    overhead = [sum(s.timings.values()) - inside[s.student] for s in subs]
    blank = next(s for s in subs if s.student == "blank")
    kind = "cold" if not warm_kernels or scheduler else "forked, warm" if os.geteuid() == 0 else "warm"
    label = f"{jobs} worker(s), sandbox on, {kind} kernels"
    label += f", on a Dask cluster ({scheduler})" if scheduler else ""
    print(
        f"autograder, {label}: {wall:6.1f} s for {n} ({n / wall * 60:5.1f} per minute); per notebook "
        f"{sum(inside.values()) / n:4.2f} s in cells, overhead {sum(overhead) / n:4.2f} s "
        f"(max {max(overhead):4.2f} s); blank release notebook {sum(blank.timings.values()):4.2f} s"
        + ("" if scheduler else f"; peak worker RSS {memory.peak / 2**20:.0f} MiB")  # Dask's are not our children
        + (f", its fork server's {memory.server_peak / 2**20:.0f} MiB" if memory.server_peak else "")
    )
    # where the overhead goes: each stage's mean, execution split into the cells and the rest (kernel start and
    # hand-shake, papermill, the notebook's way back)
    stages: dict[str, float] = {}
    for s in subs:
        for name, seconds in s.timings.items():
            stages[name] = stages.get(name, 0.0) + seconds / n
    stages["execute"] -= sum(inside.values()) / n
    print("  overhead by stage (s per notebook): " + ", ".join(f"{k} {v:.3f}" for k, v in stages.items()))
    return wall


def dask_throughput(course: CourseDir, assignment: str) -> None:
    """The same submissions through ``--scheduler`` on a local Dask cluster of 1, then 2 single-thread workers."""
    from distributed import LocalCluster

    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            ours(course, assignment, workers, warm_kernels=False, scheduler=cluster.scheduler_address)


def guard_cost(assignment: str, count: int, rounds: int = 2) -> None:
    """Seconds per notebook with and without the kernel guard (kernel_guard.py: the audit hook, the snapshot
    compared at every cell, the profile function over each test cell of an item with forbidden functions)."""
    with tempfile.TemporaryDirectory() as tmp:
        course, base = _small_class(tmp, assignment, count)
        grade_batch(course, assignment, course.submitted, base)  # makes the reference records (once per version)
        walls: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(rounds):
            for guard in (False, True):
                os.environ["AUTOGRADER_KERNEL_GUARD"] = "1" if guard else "0"
                started = time.perf_counter()
                subs = grade_batch(
                    course, assignment, course.submitted, GradeOptions(**{**base.__dict__, "force": True})
                )
                walls[guard].append((time.perf_counter() - started) / len(subs))
        os.environ.pop("AUTOGRADER_KERNEL_GUARD", None)
    off, on = min(walls[False]), min(walls[True])
    print(f"== {assignment}: {len(subs)} submissions (graded-only), one worker, best of {rounds} rounds")
    print(f"without the kernel guard: {off:6.2f} s per notebook")
    print(f"with the kernel guard   : {on:6.2f} s per notebook  (the guard adds {on - off:+.2f} s)")


def inputs_cost(assignment: str, count: int, jobs: int) -> None:
    """What per-student inputs cost a batch of ``count`` students: the reference runs' seconds (from the batch
    log) against the students' own, with the inputs shared (one variant) and per student (``count`` variants,
    a few runs, reference.py); kernel seconds, so a busy machine inflates both sides alike."""
    print(f"== {assignment}: {count} submissions (graded-only), {jobs} worker(s)")
    for per_student in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "course"
            for folder in ("source", "mutants", "variants"):
                shutil.copytree(DEFAULT_ROOT / folder, root / folder)
            if per_student:
                (root / "course.toml").write_text("[inputs]\nper_student = true\n", encoding="utf-8")
            course = CourseDir(root)
            release(course, assignment)
            sample_class.write(class_of(course, assignment, count), assignment, course.submitted)
            options = GradeOptions(jobs=jobs, graded_only=True, limits=Limits(notebook_timeout=600, cell_timeout=120))
            started = time.perf_counter()
            subs = grade_batch(course, assignment, course.submitted, options)
            wall = time.perf_counter() - started
            (log,) = (course.root / "logs").glob(f"{assignment}-*.log")
            line = next(x for x in log.read_text(encoding="utf-8").splitlines() if REFERENCE in x)
        students = sum(s.timings.get("execute", 0.0) for s in subs)
        runs, variants, seconds = map(float, re.findall(r"([\d.]+) (?:run|variant|s\b)", line.split(REFERENCE)[1]))
        print(
            f"{'per-student inputs' if per_student else 'shared inputs     '}: {runs:g} reference run(s) for "
            f"{variants:g} variant(s): {seconds:6.1f} s, {seconds / len(subs):5.2f} s per student, against "
            f"{students / len(subs):5.2f} s for a student's own notebook ({seconds / students:+.0%}); "
            f"batch {wall:.0f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="01_optimizers")
    parser.add_argument("--full", action="store_true", help="also time FAST=False (minutes)")
    parser.add_argument("--students", type=int, default=40, help="submissions to grade (default 40)")
    parser.add_argument("--jobs", type=int, default=2, help="our workers (default 2)")
    parser.add_argument("--cold", action="store_true", help="also grade with cold kernels (no warm.py, no fork server)")
    parser.add_argument("--dask", action="store_true", help="also: throughput on a local Dask cluster, 1 and 2 workers")
    parser.add_argument("--notebooks", action="store_true", help="only: every reference, FAST=True and False")
    parser.add_argument("--lab", action="store_true", help="only: seconds until `autograder lab` serves")
    parser.add_argument("--sandbox-cost", action="store_true", help="only: what the sandbox and re-check add")
    parser.add_argument("--guard-cost", action="store_true", help="only: what the kernel guard adds per notebook")
    parser.add_argument("--inputs-cost", action="store_true", help="only: what per-student inputs cost a batch")
    args = parser.parse_args()
    if args.inputs_cost:
        return inputs_cost(args.assignment, args.students, args.jobs)
    if args.guard_cost:
        return guard_cost(args.assignment, min(args.students, 6))
    if args.sandbox_cost:
        return sandbox_cost(args.assignment, min(args.students, 6))
    if args.notebooks:
        return notebooks()
    if args.lab:
        return lab_serve_time()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        shutil.copytree(DEFAULT_ROOT / "source", root / "source")
        shutil.copytree(DEFAULT_ROOT / "mutants", root / "mutants")
        shutil.copytree(DEFAULT_ROOT / "variants", root / "variants")
        shutil.copy(DEFAULT_ROOT / "course.toml", root / "course.toml")  # graded as configured (per-student inputs)
        course = CourseDir(root)
        source = course.source_notebooks(args.assignment)[0]
        # nbgrader cannot inject parameters: give both graders the same FAST=True notebook to compare
        nb = nbformat.read(source, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace("FAST = False", "FAST = True")
        nbformat.write(nb, source)
        if sources.text_of(source).exists():  # the notebook is built from its text: change the text too
            sources.text_of(source).write_text(sources.to_text(nb), encoding="utf-8")

        print(f"== {args.assignment}: reference under plain papermill")
        print(f"FAST=True : {papermill_time(source, True):6.1f} s")
        if args.full:
            print(f"FAST=False: {papermill_time(source, False):6.1f} s")

        release(course, args.assignment)
        students = class_of(course, args.assignment, args.students)
        sample_class.write(students, args.assignment, course.submitted)
        print(f"\n== the same {len(students)} submissions, graded by plain nbgrader autograde and by autograder")
        # plain nbgrader autograde (its Execute preprocessor, one process, no sandbox)
        nbgrader = Path(sys.executable).with_name("nbgrader")
        started = time.perf_counter()
        done = subprocess.run(
            [str(nbgrader), "autograde", args.assignment, "--force", "--ExecutePreprocessor.timeout=600"],
            cwd=root,
            capture_output=True,
            text=True,
        )
        plain = time.perf_counter() - started
        status = "" if done.returncode == 0 else f" (exit {done.returncode})"
        print(f"nbgrader autograde: {plain:6.1f} s for {len(students)}, {plain / len(students):5.2f} s each{status}")
        wall = ours(course, args.assignment, args.jobs, warm_kernels=True)
        print(f"speed-up over nbgrader autograde: {plain / wall:.2f}x (goal >= 3x with 2 workers)")
        if args.cold:
            cold = ours(course, args.assignment, args.jobs, warm_kernels=False)
            print(f"forked and warm kernels save {(cold - wall) / len(students):.2f} s per notebook here")
        if args.dask:
            dask_throughput(course, args.assignment)

    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"\npeak RSS: grading process {self_rss:.0f} MiB, largest reaped child (worker or kernel) {child_rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
