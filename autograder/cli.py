"""The ``autograder`` command: one subcommand per verb, each a thin layer over a module with the same name.

Mistakes a user can make (unknown assignment, missing directory, bad URL or option) print one line and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

# Only what parsing needs is imported here: the rest (torch, nbgrader, papermill: seconds) is imported by the
# command that uses it, so --help and a mistake on the command line answer at once.
from autograder.core.course_dir import COURSE_ID, CourseDir, env_root
from autograder.core.errors import ReleaseError, UsageError
from autograder.core.mutants import MutantError
from autograder.isolation import executors
from autograder.stages.feedback import HIDDEN_SHOWN

if TYPE_CHECKING:
    from autograder.stages.pipeline import GradeOptions


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse would print the whole usage)
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def _positive(kind: type):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value

    return parse


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1]: {text!r}")
    return value


def _scheduler_address(text: str) -> str:
    try:
        return executors.check_scheduler_address(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def db_option(p: argparse.ArgumentParser) -> None:
    """The gradebook, for the commands that read or write it (release, grade, report and the LMS files for the
    written answers' scores, lab --instructor, release-feedback, extend); validate grades in a scratch gradebook
    of its own, so it does not take it."""
    p.add_argument(
        "--db",
        metavar="URL",
        help="gradebook URL: sqlite:///PATH or postgresql://USER@HOST[:PORT]/DB (default sqlite:///<course>/gradebook.db)",
    )


def ids_option(p: argparse.ArgumentParser, use: str) -> None:
    """The student-id mapping file, which both LMS directions read (README, "LMS in and out")."""
    p.add_argument("--ids", metavar="FILE", help=f"mapping file (CSV with columns student,lms_id,...): {use}")


def _course(args: argparse.Namespace) -> CourseDir:
    return CourseDir(Path(args.course).resolve() if args.course else env_root(), getattr(args, "db", None) or "")


def _assignments(course: CourseDir, names: list[str]) -> list[str]:
    return [course.check_assignment(n) for n in names] if names else course.assignments()


def _options(args: argparse.Namespace, graded_only: bool) -> GradeOptions:
    from autograder.isolation.execute import Limits
    from autograder.stages.pipeline import GradeOptions

    if args.device == "cuda" and not args.scheduler:  # on a cluster the workers have the GPUs, maybe not this host
        import torch

        if not torch.cuda.is_available():
            raise UsageError("--device cuda: no CUDA device is available on this machine")
    return GradeOptions(
        device=args.device,
        limits=Limits(notebook_timeout=args.timeout, cell_timeout=args.cell_timeout),
        jobs=args.jobs,
        force=getattr(args, "force", True),
        graded_only=graded_only,
        sandbox=not args.no_sandbox,
        scheduler=args.scheduler,
    )


def cmd_release(args: argparse.Namespace) -> int:
    from autograder.handout.release import release

    course = _course(args)
    names = _assignments(course, args.assignments)
    if args.bundle:
        from autograder.handout import bundle

        out = bundle.write(course, names, Path(args.bundle).resolve())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(
            f"student bundle of {', '.join(names)} -> {out} ({size / 2**20:.1f} MiB), checked: no solution, "
            "hidden test, mutant or output"
        )
        return 0
    for name in names:
        print(f"released {name} -> {release(course, name)}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from autograder.authoring.validate import validate
    from autograder.reports.table import render

    course = _course(args)
    failures = 0
    for name in _assignments(course, args.assignments):
        started = time.perf_counter()
        verdicts = validate(course, name, _options(args, graded_only=True), seeds=args.seeds)
        rows = [["student", "expected", "observed", "verdict"]]
        rows += [[v.student, v.expectation, v.observed, "ok" if v.ok else "MISS"] for v in verdicts]
        print(f"\n{name} ({time.perf_counter() - started:.0f} s)\n{render(rows)}")
        failures += sum(not v.ok for v in verdicts)
    print(f"\n{'all checks passed' if not failures else f'{failures} check(s) missed'}")
    return 1 if failures else 0


def cmd_grade(args: argparse.Namespace) -> int:
    course = _course(args)
    name = course.check_assignment(args.assignment)
    # imported once the command line is known to be right: a mistake is answered at once
    from autograder.reports import final_grade, regrade
    from autograder.reports.table import score_table
    from autograder.stages.pipeline import grade_batch, load_results
    from autograder.stages.progress import Progress

    submissions = Path(args.submissions).resolve() if args.submissions else course.submitted
    before = regrade.snapshot(load_results(course, name))
    started = time.perf_counter()
    shown = Progress()
    try:
        subs = grade_batch(
            course, name, submissions, _options(args, args.graded_only), progress=shown.update, on_start=shown.start
        )
    finally:
        shown.close()
    elapsed = time.perf_counter() - started
    final_grade.finish(course, subs)
    print(
        f"\n{score_table(subs)}\n\n{len(subs)} submission(s) in {elapsed:.1f} s "
        f"({elapsed / max(len(subs), 1):.1f} s each)"
    )
    if before:  # graded before: say whose points this grading changed (a fixed test, --force)
        changed = regrade.changes(before, subs)
        regrade.save(course, name, changed)
        lines = regrade.report_lines(changed)
        print(f"\nre-graded: {len(lines)} student(s) whose points changed (old -> new)", *lines, sep="\n  ")
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from autograder.lms import collect, ids

    course = _course(args)
    name = course.check_assignment(args.assignment)
    roster = ids.load(Path(args.ids)) if args.ids else None
    target = Path(args.submissions).resolve() if args.submissions else course.submitted
    notebooks = [p.stem for p in course.source_notebooks(name)]
    result = collect.collect_zip(Path(args.zip), name, notebooks, target, args.lms, roster)
    print("\n".join(result.lines()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    course = _course(args)
    name = course.check_assignment(args.assignment)
    # imported once the command line is known to be right: a mistake is answered at once
    from autograder.reports import report
    from autograder.stages.pipeline import load_results

    out = Path(args.out).resolve() if args.out else course.reports
    if args.format != "csv":
        return _lms_report(args, course, name, out)
    if args.ids or args.column:
        raise UsageError("--ids and --column go with --format canvas or moodle")
    csv_path, pages, class_page = report.report(course, load_results(course, name), name, out)
    print(f"grades: {csv_path}\nfeedback: {len(pages)} page(s) under {out / 'feedback'}\nclass report: {class_page}")
    return 0


def _lms_report(args: argparse.Namespace, course: CourseDir, name: str, out: Path) -> int:
    from autograder.lms import export, ids
    from autograder.reports import final_grade
    from autograder.stages.pipeline import load_results

    if not args.ids:
        raise UsageError(f"--format {args.format} needs --ids FILE (the student-id mapping file)")
    roster = ids.load(Path(args.ids))
    subs = load_results(course, name)
    final_grade.finish(course, subs)
    result = export.write(subs, name, roster, args.format, out, args.column or "")
    print(
        f"{args.format} grade import: {result.path} ({result.graded} graded, {len(result.no_result)} without a "
        f"result, {len(result.held)} held back, {len(result.pending)} pending manual grading)"
    )
    for line in result.warnings():
        print(line, file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from autograder.authoring import sample_class
    from autograder.handout.release import release
    from autograder.reports import report
    from autograder.reports.table import score_table
    from autograder.stages.pipeline import grade_batch, load_results
    from autograder.stages.progress import Progress

    course = _course(args)
    db = course.root / "gradebook.db"
    for generated in (course.submitted, course.autograded, course.feedback, course.reports):
        shutil.rmtree(generated, ignore_errors=True)
    db.unlink(missing_ok=True)
    options = _options(args, graded_only=True)
    for name in course.assignments():
        release(course, name)
        students = sample_class.build(course, name)
        sample_class.write(students, name, course.submitted)
        print(f"\n== {name}: grading the sample class", flush=True)
        started = time.perf_counter()
        shown = Progress()
        try:
            subs = grade_batch(course, name, course.submitted, options, progress=shown.update, on_start=shown.start)
        finally:
            shown.close()
        elapsed = time.perf_counter() - started
        _learn_known_bugs(course, name, students, subs)
        csv_path, _, class_page = report.report(course, load_results(course, name), name, course.reports)
        print(
            f"\n{score_table(subs)}\n\n{len(subs)} submissions in {elapsed:.0f} s "
            f"({elapsed / len(subs):.1f} s each); grades: {csv_path}; feedback: {course.reports / 'feedback'}; "
            f"class report: {class_page}"
        )
    return 0


def _learn_known_bugs(course: CourseDir, name: str, students: list, subs: list) -> None:
    """The demo grades every known bug too: where ``validate`` has not filed their check values for this version,
    file them from this grading, so the demo's feedback shows diagnoses."""
    from autograder.stages import diagnosis

    graded = {s.student: s for s in subs}
    reference = graded.get("reference")
    if reference is None or diagnosis.load(course, name, reference.version) is not None:
        return
    table = diagnosis.learn(course, name, {s.name: s.mutant for s in students if s.kind == "mutant"}, graded)
    if table is not None:
        diagnosis.save(course, table)


def cmd_similarity(args: argparse.Namespace) -> int:
    from autograder.reports import similarity

    course = _course(args)
    name = course.check_assignment(args.assignment)
    submissions = Path(args.submissions).resolve() if args.submissions else None
    pairs = similarity.find(course, name, args.threshold, submissions)
    out = Path(args.out).resolve() if args.out else course.reports
    path = similarity.write(course, name, pairs, args.threshold, out)
    for p in pairs:
        print(f"{p.cell}: {p.a} ~ {p.b} {p.score:.2f}")
    print(f"{len(pairs)} pair(s) above {args.threshold:.2f}: {path}")
    return 0


def cmd_release_feedback(args: argparse.Namespace) -> int:
    from autograder.reports.release_feedback import release as release_fb

    course = _course(args)
    name = course.check_assignment(args.assignment)
    submissions = Path(args.submissions).resolve() if args.submissions else None
    done = release_fb(course, name, args.hidden, submissions)
    print(
        f"feedback of {name} released: {len(done.pages)} page(s) under {course.feedback}, {done.to_exchange} "
        f"student(s) through nbgrader's exchange; hidden tests shown as {args.hidden}"
    )
    if done.pending:
        print(f"not final yet (written answers to grade): {', '.join(done.pending)}", file=sys.stderr)
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from autograder.core import late

    course = _course(args)
    name = course.check_assignment(args.assignment)
    extension = timedelta(days=args.days, hours=args.hours)
    late.set_extension(course.db_url, name, args.student, extension)
    print(f"{args.student}: {name} due {extension} later")
    return 0


def cmd_hub(args: argparse.Namespace) -> int:
    from autograder.jupyter import hub

    roster = hub.parse_roster(args.instructor, args.students)
    hub.check_host(roster)
    course = hub.instructors_course(roster, Path(args.course).resolve() if args.course else None)
    running = hub.start(course, roster, Path(args.state).resolve(), args.ip, args.port)
    try:
        print(
            f"\nJupyterHub for {COURSE_ID}: {running.url}\n"
            f"    instructor {roster.instructor} (course {course.root}, its page /user/{roster.instructor}/autograder/"
            f"course), students {', '.join(roster.students)}; each logs in with their own password\n(Ctrl-C stops it)",
            flush=True,
        )
        return running.hub.wait() if running.hub else 0
    except KeyboardInterrupt:
        return 0
    finally:
        running.stop()


def cmd_lab(args: argparse.Namespace) -> int:
    from autograder.jupyter import lab

    course = _course(args)
    workdir = Path(args.workdir).resolve() if args.workdir else course.root / "student"
    started = time.perf_counter()
    if args.instructor:
        proc, url = lab.start_instructor(course, args.ip, args.port, dict(os.environ))
        who = f"the instructor, on {course.root} (formgrader: {url.split('?')[0].replace('/lab', '/formgrader')})"
    else:
        proc, url = lab.start(course, workdir, args.ip, args.port, dict(os.environ))
        who = f"students, on {workdir}"
    try:
        lab.wait_until_serving(url, proc)
        print(
            f"\nJupyterLab for {who}, serving after {time.perf_counter() - started:.1f} s:\n"
            f"    {url}\n(Ctrl-C stops it)",
            flush=True,
        )
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="autograder", description="Release, validate, grade and report the course's assignments.")
    parser.add_argument("--course", help="course root (default: $AUTOGRADER_COURSE or the repository's assignments/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def grading_options(p: argparse.ArgumentParser, timeout: float, cell_timeout: float) -> None:
        p.add_argument(
            "--device",
            choices=["auto", "cpu", "cuda"],
            default="auto",
            help="DEVICE injected into each notebook (default auto: CUDA when present)",
        )
        p.add_argument(
            "--timeout",
            type=_positive(float),
            default=timeout,
            help=f"seconds one notebook may run before its kernel is killed (default {timeout:g})",
        )
        p.add_argument(
            "--cell-timeout",
            type=_positive(float),
            default=cell_timeout,
            help=f"seconds one cell may run before it is interrupted (default {cell_timeout:g})",
        )
        p.add_argument("--jobs", type=_positive(int), default=2, help="notebooks executed at once (default 2)")
        p.add_argument(
            "--no-sandbox",
            action="store_true",
            help="run kernels without bubblewrap, for a machine that cannot have it: student code then runs with "
            "your rights (points are still re-checked outside the kernel)",
        )
        p.add_argument(
            "--scheduler",
            type=_scheduler_address,
            metavar="tcp://HOST:PORT",
            help="run the notebooks on the workers of this Dask scheduler (e.g. a dask-jobqueue SLURMCluster's "
            "scheduler_address) instead of local processes; --jobs is then ignored. Workers need this repository, "
            "the course and bubblewrap at the same paths (a shared filesystem); the gradebook stays written here",
        )

    p = sub.add_parser(
        "release",
        help="write student versions into release/ (nbgrader generate_assignment) and "
        "check that no solution or hidden test survives",
    )
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    p.add_argument(
        "--bundle",
        metavar="DIR",
        help="also write what a student gets into DIR (new or empty): release notebooks, the course package, "
        "the datasets they load, the pinned requirements",
    )
    db_option(p)
    p.set_defaults(func=cmd_release)

    p = sub.add_parser(
        "validate",
        help="reference = full marks, blank = 0, each known bug loses points on its item only; exit 1 on any miss "
        "(runs each notebook up to its last test cell)",
    )
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    p.add_argument(
        "--seeds",
        type=_positive(int),
        default=1,
        metavar="N",
        help="with per-student inputs (course.toml [inputs]): grade every student N times, as N students with "
        "their own inputs (default 1)",
    )
    grading_options(p, 300, 60)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("grade", help="grade every submission DIR/<student>/ASSIGNMENT/*.ipynb into the gradebook")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--submissions", metavar="DIR", help="default: the course's submitted/")
    db_option(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="re-grade submissions already graded and unchanged since (default: keep their earlier result)",
    )
    p.add_argument(
        "--graded-only",
        action="store_true",
        help="skip the code cells after the last test cell (ungraded experiments; they cannot change a score)",
    )
    grading_options(p, 600, 120)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser(
        "lab", help="JupyterLab for a student on the release notebooks, with nbgrader's Validate and Assignments"
    )
    p.add_argument("--workdir", metavar="DIR", help="the student's folder (default: the course's student/)")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 in Docker)")
    p.add_argument("--port", type=_positive(int), default=8888, help="default 8888")
    p.add_argument(
        "--instructor",
        action="store_true",
        help="the instructor's lab instead: nbgrader's formgrader on the course's gradebook, and the written answers "
        "of the class question by question with their rubric (/autograder/answers)",
    )
    db_option(p)
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser(
        "hub",
        help="JupyterHub for a class on this machine (as root): local users log in with their own password; students "
        "fetch, work and submit in JupyterLab, the instructor releases, collects, grades and releases feedback",
    )
    p.add_argument("--instructor", required=True, metavar="USER", help="the instructor's local user name")
    p.add_argument("--students", required=True, metavar="USER,...", help="the students' local user names")
    p.add_argument(
        "--state",
        default=str(Path("/srv") / COURSE_ID),
        metavar="DIR",
        help="the hub's folder: its database, the exchange, each role's settings (default %(default)s)",
    )
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_positive(int), default=8000, help="default 8000")
    p.set_defaults(func=cmd_hub)

    p = sub.add_parser(
        "release-feedback",
        help="write the students' feedback pages (final grade, written answers, late penalty) into nbgrader's "
        "feedback/ folder and release them through the exchange where students submitted through it",
    )
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument(
        "--hidden",
        choices=HIDDEN_SHOWN,
        default="messages",
        help="what students see of a failed hidden test: its message (default) or its points only",
    )
    p.add_argument("--submissions", metavar="DIR", help="default: the course's submitted/")
    db_option(p)
    p.set_defaults(func=cmd_release_feedback)

    p = sub.add_parser(
        "similarity",
        help="pairs of students whose solution cells are alike (copydetect; the release's code as boilerplate), "
        "side by side; changes no points",
    )
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--threshold", type=_share, default=0.8, help="share of a cell's code found in the other's (0.8)")
    p.add_argument("--submissions", metavar="DIR", help="default: the course's submitted/")
    p.add_argument("--out", metavar="DIR", help="default: the course's reports/")
    p.set_defaults(func=cmd_similarity)

    p = sub.add_parser("extend", help="give a student more time on an assignment (kept in the gradebook)")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("student", metavar="STUDENT")
    p.add_argument("--days", type=float, default=0.0, help="days added to the due date")
    p.add_argument("--hours", type=float, default=0.0, help="hours added to the due date")
    db_option(p)
    p.set_defaults(func=cmd_extend)

    p = sub.add_parser(
        "collect",
        help="unpack an LMS's bulk download (Canvas, Moodle) into DIR/<student>/ASSIGNMENT/<notebook>.ipynb and list "
        "each file not placed, with the reason",
    )
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("zip", metavar="ZIP", help="the archive the LMS's 'download all submissions' gave")
    p.add_argument(
        "--lms", choices=["auto", "canvas", "moodle"], default="auto", help="whose file naming (default: auto)"
    )
    ids_option(p, "folders are named by its student column (default: the LMS's user or participant id)")
    p.add_argument("--submissions", metavar="DIR", help="default: the course's submitted/")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser(
        "report",
        help="grades CSV (one row per student, one column per item) and HTML feedback, or the LMS's grade import file "
        "(--format canvas|moodle)",
    )
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--out", metavar="DIR", help="default: the course's reports/")
    p.add_argument(
        "--format",
        choices=["csv", "canvas", "moodle"],
        default="csv",
        help="csv (default): grades CSV and feedback pages; canvas: Gradebook import CSV; moodle: the "
        "assignment's grading worksheet",
    )
    ids_option(p, "who is who in the LMS, needed by canvas and moodle")
    p.add_argument(
        "--column",
        metavar="TITLE",
        help="canvas: the assignment's column as Canvas titles it, e.g. 'Lab 1 (4321)' (default: ASSIGNMENT)",
    )
    db_option(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("demo", help="build the sample class of every assignment, grade it, write the reports")
    grading_options(p, 300, 30)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.func(args)
    except (UsageError, ReleaseError, MutantError) as exc:
        print(f"autograder: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130
