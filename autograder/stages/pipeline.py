"""Runs the stages over a batch: collect -> readable -> restore -> flag -> [trim] -> withhold -> inputs -> execute
-> score (with the outside re-check, verify.py) -> diagnose (known bugs, diagnosis.py) -> feedback.

Restore and score touch the gradebook, so they run in this process one submission at a time (SQLite has one
writer); execution, the slow part, runs in a pool of worker processes, each kernel in its own sandbox. The
reference runs that the re-check compares with (reference.py: a few, for the variants of the students' inputs,
inputs.py) are the pool's first jobs when they are not cached. A stage that fails in an unexpected way marks that
submission a grader fault; the batch goes on.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import logging
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.core import cell_code
from autograder.core.course_dir import REPO_ROOT, CourseDir
from autograder.core.gradebook import NotebookCells
from autograder.core.markup import public_source
from autograder.core.submission import State, Submission
from autograder.handout.release import ensure_in_gradebook
from autograder.isolation import executors, forkserver
from autograder.isolation.engine import guard_on
from autograder.isolation.execute import ExecResult, Limits, cores, execute, prepare_worker
from autograder.isolation.sandbox import SandboxLimits, SandboxSpec, require_bubblewrap, sweep_stale_boxes
from autograder.stages import collect, diagnosis, feedback, readable, restore, resume, score, trim
from autograder.stages.batch_log import BatchLog
from autograder.trust import flags, inputs, reference, withhold
from autograder.written import rubric

log = logging.getLogger(__name__)


@dataclass
class GradeOptions:
    device: str = "auto"
    seed: int = 0
    fast: bool = True
    limits: Limits = field(default_factory=Limits)
    jobs: int = 2
    force: bool = True  # re-grade submissions already graded and unchanged since (the CLI defaults to False)
    graded_only: bool = False  # skip the code cells after the last test cell (see trim.py)
    sandbox: bool = True  # every kernel in bubblewrap (sandbox.py); off only where bwrap cannot run
    sandbox_limits: SandboxLimits = field(default_factory=SandboxLimits)
    warm_kernels: bool = True  # each worker starts its next kernel while it waits (warm.py)
    scheduler: str | None = None  # a Dask scheduler (tcp://HOST:PORT): its workers run the kernels (executors.py)

    def parameters(self) -> dict:
        return {"SEED": self.seed, "DEVICE": self.device, "FAST": self.fast}

    def sandbox_spec(self, hidden: list[Path]) -> SandboxSpec:
        cuda = self.device == "cuda"
        if self.device == "auto":
            import torch

            cuda = torch.cuda.is_available()
        return SandboxSpec(self.sandbox, cuda, self.sandbox_limits, tuple(str(p) for p in hidden))


def _guard(name: str, stage: Callable[[Submission], object], sub: Submission) -> Submission:
    """Run one stage; an exception it did not expect is the grader's fault, recorded on this submission only."""
    started = time.perf_counter()
    try:
        stage(sub)
    except Exception as exc:  # noqa: BLE001 - the boundary that keeps one submission from stopping the batch
        log.debug("stage %s failed for %s:\n%s", name, sub.key, traceback.format_exc())
        sub.fail(State.GRADER_FAULT, f"{name}: {type(exc).__name__}: {exc}")
    finally:
        sub.timings[name] = sub.timings.get(name, 0.0) + time.perf_counter() - started
    return sub


def _apply_execution(sub: Submission, result: ExecResult) -> Submission:
    sub.timings["execute"] = result.seconds
    sub.checks = result.checks
    sub.notes += [f"kernel start retried: {why}" for why in result.retries]
    if result.nb_json is None:
        sub.nb = None
    else:
        sub.nb = nbformat.reads(result.nb_json, as_version=4)
    if result.fault is not None:
        sub.fail(result.fault, result.reason)
    return sub


def _save(out: Path, sub: Submission, rubrics: dict[str, rubric.Rubric]) -> None:
    """The instructor's copy, for nbgrader's formgrader: the graded notebook with each written answer's rubric."""
    if sub.nb is None:
        return
    path = resume.autograded_path(out, sub)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(rubric.annotate(sub.nb, rubrics), path)


def _save_summary(out: Path, sub: Submission) -> None:
    """Written last for each submission: the summary is the commit marker a resumed run looks for (resume.py)."""
    # every check the notebook ran, as plain data, for a re-check outside the student's process
    resume.write_atomic(resume.checks_path(out, sub), "".join(json.dumps(c) + "\n" for c in sub.checks))
    resume.write_atomic(resume.summary_path(out, sub), json.dumps(sub.to_summary(), indent=1))


def _prepare(
    sub: Submission, options: GradeOptions, forbidden: dict[str, list[str]] | None = None, variant: str = ""
) -> None:
    """``forbidden`` (``{item: dotted names}``): the grading form, for a student, whose hidden tests draw the
    inputs of ``variant``; None only for the reference run, which alone computes the expected side (in the full
    form, its variants built in)."""
    if options.graded_only:
        _guard("trim", trim.drop_ungraded_tail, sub)
    if forbidden is not None:
        _guard("withhold", lambda s: withhold.withhold_expected(s, forbidden, guard_on()), sub)
        _guard("inputs", lambda s: inputs.assign(s, variant), sub)
    _guard("end", withhold.mark_end, sub)


def _reference_jobs(
    course: CourseDir, assignment: str, options: GradeOptions, variants: list[str]
) -> list[tuple[list[str], str, Submission]]:
    """The reference runs to do first, prepared as a student's (in the graded-only form): per notebook, one for
    each chunk of ``variants`` (the variants not cached), as ``(chunk, notebook name, run)``."""
    jobs = []
    for chunk in reference.chunks(variants, options.jobs):
        for path in course.source_notebooks(assignment):
            sub = Submission("(reference run)", assignment, path.stem, None)
            sub.nb = reference.notebook(nbformat.read(path, as_version=4), chunk)
            # graded-only even where students run in full: only the records matter here, and the ungraded tail
            # (the experiments) records nothing a score reads (trim.py)
            _prepare(sub, dataclasses.replace(options, graded_only=True))
            jobs.append((chunk, path.stem, sub))
    return jobs


def kernel_preload(course: CourseDir, assignment: str) -> tuple[str, ...]:
    """What the assignment's kernels import before a student's first cell: the modules its released cells import
    (solution and hidden-test lines are left out: the list is on the kernel's command line)."""
    cells = [c.source for path in course.source_notebooks(assignment) for c in nbformat.read(path, as_version=4).cells]
    return forkserver.preload(cell_code.imported_modules(public_source(c) for c in cells))


def grade_batch(
    course: CourseDir,
    assignment: str,
    submissions_dir: Path,
    options: GradeOptions,
    progress: Callable[[Submission], None] | None = None,
    output_root: Path | None = None,
    on_start: Callable[[int], None] | None = None,
    inputs_drawn_as: Mapping[str, str] | None = None,
) -> list[Submission]:
    """Grade every submission of ``assignment`` under ``submissions_dir``; autograded notebooks, result
    summaries, feedback and the batch's log (batch_log.py) go under ``output_root`` (default: the course root).
    ``on_start(n)`` is told how many submissions there are, ``progress(sub)`` each one as it is finished.
    ``inputs_drawn_as`` (``{student: name}``): students who draw another name's per-student inputs (validate)."""
    out = output_root or course.root
    if options.sandbox:
        require_bubblewrap()
        for stale in sweep_stale_boxes():
            log.info("removed the sandbox folder %s of a grader that was killed", stale)
    ensure_in_gradebook(course, assignment)
    config = course.config()
    rubrics = rubric.load(course, assignment)
    names = [p.stem for p in course.source_notebooks(assignment)]
    # the released cells, read once: every submission is restored and scored against them
    copies = {name: NotebookCells.load(course.db_url, name, assignment) for name in names}
    subs = collect.collect(submissions_dir, assignment, names)
    spec = options.sandbox_spec([course.root, REPO_ROOT, submissions_dir, out, Path.home()])
    key = reference.version_key(course, assignment, options.parameters(), spec.cuda)
    variant_of = inputs.variants_of(course, assignment, {s.student for s in subs}, inputs_drawn_as)
    kept: set[str] = set()
    for n, sub in enumerate(subs):
        sub.version = key
        sub.inputs = variant_of[sub.student]
        matters = {**resume.options_that_matter(options), "inputs": sub.inputs}
        sub.result_key = resume.result_key(sub.path, key, matters)
        earlier = None if options.force else resume.previous(resume.summary_path(out, sub), sub.path, sub.result_key)
        if earlier is not None:
            earlier.version = key
            earlier.checks = diagnosis.read_checks(resume.checks_path(out, earlier))
            subs[n] = earlier
            kept.add(sub.key)
    if on_start:
        on_start(len(subs))
    batch = BatchLog(out, assignment, f"{len(subs)} submission(s), {len(kept)} kept from an earlier run, {options}")
    forbidden = flags.forbidden_calls(course, assignment)
    forbidden_items = withhold.forbidden_by_item(forbidden)
    todo = [s for s in subs if s.key not in kept]
    # the variants of the students' inputs whose reference records are cached; read one at a time when scoring
    # (05's are ~10 MB a variant: a class's would not fit in memory together)
    known = {v for v in {s.inputs for s in todo} if reference.cached(course, assignment, key, v)}
    missing = sorted({s.inputs for s in todo} - known)
    known_bugs = diagnosis.load(course, assignment, key)
    # split the cores between the kernels running at once (oversubscribed BLAS threads slow everything down);
    # on a Dask cluster each worker does it for its own machine (execute.kernel_threads)
    threads = None if options.scheduler else max(1, cores() // options.jobs)
    # warm kernels only in local workers: they end with the pool, whereas a Dask worker outlives the batch and
    # would keep an idle kernel (and its sandbox) until it is stopped
    warm_kernels = options.warm_kernels and options.scheduler is None
    preload = kernel_preload(course, assignment)
    warm_up = None
    if warm_kernels and todo:
        warm_up = functools.partial(prepare_worker, spec, threads, options.limits, preload)
    ref_jobs = _reference_jobs(course, assignment, options, missing)
    workers = max(1, min(options.jobs, len(todo) + len(ref_jobs)))
    with executors.pool(options.scheduler, workers, warm_up, options.limits.task_deadline()) as pool:

        def run(sub: Submission, limits: Limits = options.limits):
            return pool.submit(
                execute,
                nbformat.writes(sub.nb),
                options.parameters(),
                limits,
                spec,
                threads,
                warm_kernels,
                preload,
            )

        # the reference runs (those not cached) go first, since every score waits for them; each submission
        # goes to the workers as soon as it is restored. A reference run records once per variant and once more
        # (the copies, reference.py): its check log may hold that many runs' worth
        ref_futures = [
            (chunk, name, run(ref, dataclasses.replace(options.limits, check_log_runs=len(chunk) + 1)))
            for chunk, name, ref in ref_jobs
        ]
        futures = {}
        for sub in todo:
            _guard("read", readable.read, sub)
            _guard("restore", lambda s: restore.restore(s, config, course.db_url, copies.get(s.notebook_name)), sub)
            _guard("flag", lambda s: flags.flag(s, forbidden), sub)
            _prepare(sub, options, forbidden_items, sub.inputs)
            if sub.ok and sub.nb is not None:
                futures[sub.key] = run(sub)
        new, problems, seconds = _reference_records(
            ref_futures, lambda variant, records: reference.save(course, assignment, key, records, variant)
        )
        if ref_futures:
            batch.reference(len(ref_futures), len(missing), seconds)
        known |= new
        expected_side = functools.lru_cache(maxsize=1)(lambda v: reference.load(course, assignment, key, v))
        for sub in subs:
            if sub.key in kept:
                batch.submission(sub, kept=True)
                if progress:
                    progress(sub)
                continue
            if sub.key in futures:
                try:
                    _apply_execution(sub, futures[sub.key].result())
                except executors.TaskTimeout as exc:  # stuck on something the notebook did: its worker was killed
                    sub.fail(State.STUDENT_FAULT, f"grading this notebook did not finish: {exc}")
                except MemoryError:  # the worker could not hold what the notebook produced
                    sub.fail(State.STUDENT_FAULT, "the notebook's outputs or records are too large to grade")
                except Exception as exc:  # noqa: BLE001 - a dead worker process is the grader's fault
                    sub.fail(State.GRADER_FAULT, f"execute: {type(exc).__name__}: {exc}")
            records = expected_side(sub.inputs) if sub.inputs in known else None
            # never scored without the expected side: every check would pass. That holds for a student whose
            # kernel crashed or timed out too (scored on the cells before), so it overrides their fault
            if sub.key in futures and records is None:
                sub.cannot_grade(problems.get(sub.inputs, "the reference records cannot be read"))
            cells = (records or {}).get(sub.notebook_name, {})
            _guard(
                "score",
                lambda s, ref=cells: score.score(s, config, course.db_url, ref, copies.get(s.notebook_name)),
                sub,
            )
            _guard("diagnose", lambda s: diagnosis.diagnose(s, s.checks, known_bugs), sub)
            _save(out, sub, rubrics)
            # the instructor's copy: students get theirs when the instructor releases it (release_feedback.py)
            _guard("feedback", lambda s: feedback.write(s, out / "reports" / "feedback"), sub)
            _save_summary(out, sub)
            batch.submission(sub)
            if progress:
                progress(sub)
    batch.close()
    return subs


def _reference_records(
    futures: list, save: Callable[[str, reference.Records], None]
) -> tuple[set[str], dict[str, str], float]:
    """Waits for the reference runs (in chunk order, ``(chunk, notebook name, future)``) and saves each variant's
    records as soon as its chunk is done, keeping none: the variants saved, for each variant that cannot be
    verified, why (a variant failing in any of its notebooks), and the runs' seconds in all."""
    saved: set[str] = set()
    problems: dict[str, str] = {}
    seconds = 0.0
    for chunk, runs in itertools.groupby(futures, key=lambda job: tuple(job[0])):
        records: dict[str, reference.Records] = {v: {} for v in chunk}
        for _, name, future in runs:
            try:
                result: ExecResult = future.result()
                seconds += result.seconds
                executed = nbformat.reads(result.nb_json, as_version=4) if result.nb_json else None
                by_variant, failed = reference.per_variant(executed, result.checks, result.reason, chunk)
            except reference.ReferenceProblem as exc:
                by_variant, failed = {}, dict.fromkeys(chunk, str(exc))
            except Exception as exc:  # noqa: BLE001 - the worker died: the grader's fault, reported for everyone
                failed = dict.fromkeys(chunk, f"the reference run failed: {type(exc).__name__}: {exc}")
                by_variant = {}
            for variant, cells in by_variant.items():
                records[variant][name] = cells
            problems.update({v: f"{name}: {why}" for v, why in failed.items() if v not in problems})
        for variant in chunk:
            if variant not in problems:
                save(variant, records.pop(variant))
                saved.add(variant)
    return saved, problems, seconds


def load_results(course: CourseDir, assignment: str) -> list[Submission]:
    """The results of the last grading run, for ``report``."""
    return [
        Submission.from_summary(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(course.autograded.glob(f"*/{assignment}/*.result.json"))
    ]


def rows(subs: Iterable[Submission]) -> list[dict]:
    return [
        {
            "student": s.student,
            "notebook": s.notebook_name,
            "score": s.score,
            "max": s.max_score,
            "state": s.state.value,
            "reason": s.reason,
        }
        for s in subs
    ]
