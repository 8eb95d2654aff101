"""An author's quick loop: run an assignment's graded cells in-process against the reference, known bugs and
correct variants, and say which grade cells each one fails.

    python scripts/try_solutions.py 01_optimizers                       # reference + every mutant and variant
    python scripts/try_solutions.py 01_optimizers adam_no_bias_correction path/to/my_bug.py
    python scripts/try_solutions.py 01_optimizers --items adam,clip_norm  # only material for these items
    python scripts/try_solutions.py 01_optimizers --inputs a,b,c  # all of it again with 3 students' inputs

Seconds instead of the minutes of ``autograder validate``: no kernel, no sandbox, no gradebook; only the
nbgrader-marked cells run (parameters, locked setup/helpers, solutions, tests with their hidden part), each
candidate in a forked child of one process that imported torch once, with FAST=True on the CPU. It applies the
rules validate applies (a mutant loses its item and only it; a variant and the reference lose nothing; a test cell
must not end in a value) and the grader's re-check of each candidate's check records against the reference's
(autograder.trust.verify). It is a draft check: ``autograder validate`` is the proof.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import multiprocessing as mp
import os
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from autograder.core.course_dir import CourseDir  # noqa: E402
from autograder.core.markup import grade_id, is_autograded_test, item_of, nbgrader_meta, strip_markers  # noqa: E402
from autograder.core.mutants import Mutant, load, parse  # noqa: E402
from autograder.trust.inputs import setter_line  # noqa: E402
from autograder.trust.protect import is_locked_setup  # noqa: E402
from autograder.trust.verify import verify  # noqa: E402
from autograder.trust.withhold import expected_side_left, grading_form  # noqa: E402

PARAMETERS = 'SEED = 0\nDEVICE = "cpu"\nFAST = True\n'


def graded_cells(course: CourseDir, assignment: str, grading: bool = True) -> list[tuple[str, str, bool]]:
    """(grade_id or "", source with hidden tests, is a test cell) of every nbgrader-marked code cell; in the
    grading form (autograder/trust/withhold.py) unless ``grading=False`` (the reference run's full form)."""
    cells = []
    for path in course.source_notebooks(assignment):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or not nbgrader_meta(cell):
                continue
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                cells.append(("parameters", PARAMETERS, False))
                continue
            source = strip_markers(cell.source)
            if grading and (is_autograded_test(cell) or is_locked_setup(cell)):
                source = grading_form(source)
            cells.append((grade_id(cell) or "", source, is_autograded_test(cell)))
    return cells


def _exec_cell(source: str, name: str, ns: dict) -> object:
    """Run a cell as IPython does: a last bare expression is evaluated and its value returned (None otherwise)."""
    tree = ast.parse(source, name)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, name, "exec"), ns)
    return eval(compile(ast.Expression(last.value), name, "eval"), ns) if last else None


def _run(cells: list[tuple[str, str, bool]], out: mp.Queue) -> None:
    """In the child: every cell in one namespace; report ({test grade_id: None or why it scores 0}, the check
    records tagged with their cell as the grader's engine tags them)."""
    import matplotlib

    from course import checks

    matplotlib.use("Agg")
    ns: dict = {"__name__": "__main__", "__withheld__": checks.WITHHELD}
    results: dict[str, str | None] = {}
    records: list[dict] = []
    for gid, source, is_test in cells:
        del checks.RECORDS[:]
        why, value = None, None
        try:
            with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                value = _exec_cell(source, f"<{gid or 'cell'}>", ns)
        except Exception as exc:  # a failing cell is data here: the next cells still run, as in grading
            lines = str(exc).strip().splitlines()
            why = f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]
            if not is_test and not isinstance(exc, NotImplementedError):
                why += " | " + traceback.format_exc().strip().splitlines()[-1][:200]
        if is_test:
            if why is None and value is not None:
                why = f"the test cell ends in a value ({type(value).__name__}): it would become the cell's output"
            results[gid] = why
            records += [{**r.as_dict(), "cell": gid} for r in checks.RECORDS]
        elif why and gid:
            results[f"[{gid}]"] = why
    out.put((results, json.loads(json.dumps(records))))


Results = tuple[dict[str, "str | None"], list[dict]]


def run(cells: list[tuple[str, str, bool]], timeout: float = 600) -> Results:
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    child = ctx.Process(target=_run, args=(cells, out))
    child.start()
    try:
        return out.get(timeout=timeout)
    except Exception:
        return {"[run]": f"no result within {timeout:g} s or the child died (exit {child.exitcode})"}, []
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()


# a cell that passed in the kernel but not the re-check: the grader marks the submission "tampering suspected"
RECHECK = "TAMPERING SUSPECTED by the re-check outside the kernel: "


def rechecked(results: dict[str, str | None], records: list[dict], reference: list[dict]) -> dict[str, str | None]:
    """The grader's outside re-check (autograder.trust.verify) on cells that passed in-process: a correct solution whose
    records differ from the reference run's (another case order, an expected value computed from its own output)
    loses those points in real grading."""
    by_cell: dict[str, list[dict]] = {}
    for record in reference:
        by_cell.setdefault(record["cell"], []).append(record)
    raised = {g for g, why in results.items() if why}
    verdicts = verify(records, by_cell, raised)
    out: dict[str, str | None] = {}
    for g, why in results.items():
        v = verdicts.get(g)
        out[g] = f"{RECHECK}{v.tampering}" if v and v.tampering else (v.failure if v and v.failure else why)
    return out


def apply(cells: list[tuple[str, str, bool]], mutant: Mutant) -> list[tuple[str, str, bool]]:
    if not any(gid == mutant.replaces for gid, _, _ in cells):
        raise SystemExit(f"{mutant.name}: no cell {mutant.replaces!r}")
    return [(gid, mutant.apply(src) if gid == mutant.replaces else src, t) for gid, src, t in cells]


def verdict(kind: str, mutant: Mutant | None, results: dict[str, str | None]) -> tuple[bool, str]:
    lost = {g: why for g, why in results.items() if why}
    if kind != "mutant" or mutant is None:
        return not lost, "full marks" if not lost else "LOST " + "; ".join(f"{g}: {w}" for g, w in lost.items())
    here = sorted(g for g in lost if item_of(g) == mutant.breaks)
    elsewhere = sorted(g for g in lost if item_of(g) != mutant.breaks)
    visible_ok = not any(g for g in here if not g.endswith("__hidden"))
    how = "caught by hidden only" if here and visible_ok else ("caught by visible" if here else "NOT CAUGHT")
    text = f"{how}: " + "; ".join(f"{g}: {lost[g]}" for g in here)
    if elsewhere:
        text += " | ALSO LOST " + "; ".join(f"{g}: {lost[g]}" for g in elsewhere)
    tampering = any(why.startswith(RECHECK) for why in lost.values())
    return bool(here) and not elsewhere and not tampering, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("candidates", nargs="*", help="mutant/variant names or paths of files in their format")
    parser.add_argument("--items", default="", help="comma-separated items: only mutants/variants of these")
    parser.add_argument("--root", type=Path, default=None, help="course root (default: assignments/)")
    parser.add_argument(
        "--inputs", default="", help="comma-separated variants (any text): run everything once per variant's inputs"
    )
    args = parser.parse_intermixed_args(argv)
    course = CourseDir(args.root) if args.root else CourseDir()
    if not (course.source / args.assignment).is_dir():
        parser.error(f"unknown assignment {args.assignment!r}")
    cells = graded_cells(course, args.assignment)
    full = graded_cells(course, args.assignment, grading=False)
    known = {m.name: ("mutant", m) for m in load(course.mutants / args.assignment)}
    known |= {m.name: ("variant", m) for m in load(course.variants / args.assignment, variant=True)}
    chosen: list[tuple[str, Mutant | None]] = [("reference", None)]
    for name in args.candidates:
        if name in known:
            chosen.append(known[name])
        elif Path(name).is_file():
            is_variant = "# why:" in Path(name).read_text(encoding="utf-8")
            chosen.append(("variant" if is_variant else "mutant", parse(Path(name), variant=is_variant)))
        else:
            parser.error(f"no mutant or variant named {name!r} and no such file")
    if not args.candidates:
        chosen += list(known.values())
    items = {i for i in args.items.split(",") if i}
    if items:
        chosen = [
            (k, m)
            for k, m in chosen
            if m is None or item_of(m.replaces.replace("_impl", "")) in items or m.breaks in items
        ]
    failures = 0
    unmarked = expected_side_left(course, args.assignment)
    if unmarked:
        print("BAD grading form: computed only for the expected side, not marked expected(...): " + "; ".join(unmarked))
    variants = [v for v in args.inputs.split(",") if v] or [""]
    for variant in variants:
        first = [("", setter_line(variant), False)] if variant else []  # the grader's first cell (inputs.py)
        if variant:
            print(f"-- the inputs of variant {variant!r}")
        results, reference = run(first + full)  # the reference run (full form: the expected side computed)
        if any(results.values()):  # the reference fails its own tests as the student's lab runs them
            print(f"BAD reference reference {'(full form)':30s} {verdict('reference', None, results)[1]}")
            return 1
        for kind, mutant in chosen:
            results, records = run(first + (cells if mutant is None else apply(cells, mutant)))
            results = rechecked(results, records, reference)
            ok, text = verdict(kind, mutant, results)
            failures += not ok
            name = mutant.name if mutant else "reference"
            print(f"{'ok ' if ok else 'BAD'} {kind:8s} {name:42s} {text}", flush=True)
    total = len(chosen) * len(variants)
    print(f"{total - failures}/{total} as expected")
    return 1 if failures or unmarked else 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
