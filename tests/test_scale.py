"""Grading many notebooks: kernel starts retried (and never charged), many more kernels than cores at once,
resume after the grader is killed, the batch log, warm kernels."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from cli_command import autograder
from nbformat import v4
from nbgrader.api import Gradebook
from tiny_course import ASSIGNMENT

from autograder.authoring import sample_class
from autograder.core.course_dir import CourseDir
from autograder.core.submission import State
from autograder.isolation import forkserver, warm
from autograder.isolation.execute import ExecResult, Limits, execute, retry_start
from autograder.isolation.sandbox import SandboxSpec, process_alive, sweep_stale_boxes
from autograder.stages.pipeline import GradeOptions, grade_batch


def _attempts(*results: ExecResult):
    calls = iter(results)
    return lambda: next(calls)


def _no_start(why: str) -> ExecResult:
    return ExecResult(None, State.GRADER_FAULT, f"execution failed: {why}", 0.1, [])


def test_a_kernel_that_did_not_start_is_started_again_with_the_reasons_kept():
    ran = ExecResult("{}", None, "", 1.0, [{"id": "a"}])
    result = retry_start(_attempts(_no_start("died before kernel_info"), _no_start("no reply in 60 s"), ran), pause=0)
    assert result.fault is None and result.checks == [{"id": "a"}]
    assert result.retries == ["execution failed: died before kernel_info", "execution failed: no reply in 60 s"]


def test_retries_are_bounded_and_the_fault_says_so():
    result = retry_start(_attempts(*[_no_start(f"try {n}") for n in range(5)]), attempts=3, pause=0)
    assert result.never_started and result.reason == "execution failed: try 2 (after 3 attempts)"
    assert len(result.retries) == 2


def test_a_student_fault_or_a_run_that_started_is_not_retried():
    crashed = ExecResult("{}", State.STUDENT_FAULT, "kernel crashed in cell 3", 2.0, [])
    assert retry_start(_attempts(crashed), pause=0) is crashed and crashed.retries == []
    cut_short = ExecResult("{}", State.GRADER_FAULT, "execution ended early", 2.0, [])  # cells ran: not a start
    assert retry_start(_attempts(cut_short), pause=0).retries == []


# --------------------------------------------------------------------------- real kernels


OPTIONS = GradeOptions(limits=Limits(notebook_timeout=240, cell_timeout=60))


def _reference_class(course, n: int) -> None:
    (reference,) = [s for s in sample_class.build(course, ASSIGNMENT) if s.name == "reference"]
    for k in range(n):
        folder = course.submitted / f"student{k:02d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(reference.notebooks[ASSIGNMENT], folder / f"{ASSIGNMENT}.ipynb")


def test_many_more_kernels_than_cores_start_without_a_grader_fault(tiny):
    """24 notebooks, 12 kernels at once on this 2-core machine: every start succeeds (retried if it must)."""
    _reference_class(tiny, 24)
    subs = grade_batch(tiny, ASSIGNMENT, tiny.submitted, replace(OPTIONS, jobs=12))
    retried = [note for s in subs for note in s.notes]
    faults = [(s.student, s.reason) for s in subs if s.state.value != "graded"]
    assert len(subs) == 24 and not faults, (faults, retried)
    assert {s.score for s in subs} == {4.0}
    print(f"24 notebooks, 12 at once: 0 grader faults, {len(retried)} start(s) retried: {retried}")


def _grade_cli(course, *extra: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "AUTOGRADER_COURSE": str(course.root)}
    return subprocess.Popen(
        autograder("grade", ASSIGNMENT, "--jobs", "1", *extra),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the kill takes workers and kernels with it
        **popen,
    )


def _results(course) -> dict[str, dict]:
    """Every result file, minus what differs between two runs of the same work (timings, notes, the log)."""
    out = {}
    for path in sorted(course.autograded.glob(f"*/{ASSIGNMENT}/*.result.json")):
        data = json.loads(path.read_text())
        out[path.parent.parent.name] = {k: v for k, v in data.items() if k not in ("timings", "notes")}
        checks = path.with_name(path.name.replace(".result.json", ".checks.jsonl"))
        out[path.parent.parent.name]["checks"] = checks.read_text()
    return out


def _gradebook(course) -> list[tuple]:
    with Gradebook(course.db_url) as gb:
        rows = []
        for student in gb.students:
            sub = gb.find_submission(ASSIGNMENT, student.id)
            for nb in sub.notebooks:
                rows += [(student.id, g.name, g.score, g.auto_score) for g in nb.grades]
        return sorted(rows)


@pytest.mark.usefixtures("reap_sandboxes")
def test_a_grader_killed_mid_batch_resumes_to_the_same_result(tiny, tmp_path):
    sample_class.write(
        [s for s in sample_class.build(tiny, ASSIGNMENT) if s.kind in ("reference", "blank", "mutant")],
        ASSIGNMENT,
        tiny.submitted,
    )
    _reference_class(tiny, 2)
    clean = CourseDir(shutil.copytree(tiny.root, tmp_path / "clean"))
    uninterrupted = _grade_cli(clean, "--jobs", "2")
    assert uninterrupted.wait(timeout=600) == 0, uninterrupted.stdout.read()

    first = _grade_cli(tiny)
    deadline = time.monotonic() + 300
    while len(list(tiny.autograded.glob(f"*/{ASSIGNMENT}/*.result.json"))) < 3:
        assert first.poll() is None and time.monotonic() < deadline, "the batch ended before it could be killed"
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    done_before = len(_results(tiny))
    assert 3 <= done_before < 7

    def stale() -> list[Path]:
        return [p for p in Path(tempfile.gettempdir()).glob("ag-*-*") if not process_alive(int(p.name.split("-")[1]))]

    deadline = time.monotonic() + 30
    while not stale() and time.monotonic() < deadline:  # the killed workers: gone a moment after the grader
        time.sleep(0.1)
    left = stale()
    again = _grade_cli(tiny)
    output = again.communicate(timeout=600)[0]
    assert again.returncode == 0, output
    assert left and not any(p.exists() for p in left)  # the killed kernels' sandbox folders: swept by the rerun
    assert _results(tiny) == _results(clean)  # same points, states, checks, keys: nothing lost
    assert _gradebook(tiny) == _gradebook(clean)  # and the gradebook has each grade once
    killed, resumed = sorted((tiny.root / "logs").glob("*.log"))  # one log per batch, the killed one cut short
    assert "done in" not in killed.read_text() and killed.read_text().count(" graded ") >= done_before - 1
    assert resumed.read_text().count("| kept from an earlier run") == done_before


def test_only_the_sandbox_folders_of_dead_graders_are_swept(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead, alive = tmp_path / f"ag-{gone.pid}-x1", tmp_path / f"ag-{os.getpid()}-x2"
    for box in (dead, alive):
        (box / "io").mkdir(parents=True)
        (box / "io" / "checks.jsonl").write_text("{}")
    other = tmp_path / "ag-notapid-x3"
    other.mkdir()
    assert sweep_stale_boxes(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and other.exists()


def test_a_fork_server_that_cannot_fork_is_given_up_and_kernels_start_without_it(tmp_path, monkeypatch):
    spec = SandboxSpec(True, False, hidden=(str(tmp_path),))
    if not forkserver.usable(spec):
        pytest.skip("a fork server needs the grader to run as root")
    env_for = lambda box: box.env({"COURSE_CHECK_LOG": str(box.check_log)})  # noqa: E731
    try:
        server = forkserver.for_worker(spec, 1, env_for, 60)
        assert server is not None and server.alive()

        def refuse(*args, **kwargs):  # what a container that forbids the server's mounts answers
            raise forkserver.ForkServerError("the fork server could not start a kernel: PermissionError: mount")

        monkeypatch.setattr(forkserver.ForkServer, "spawn", refuse)
        result = execute(_probe_notebook(), {}, Limits(), spec, 1, True)
        assert result.fault is None and result.retries == [], result.reason  # started on its own at once
        assert not server.alive() and not server.spool.exists()
        assert forkserver.for_worker(spec, 1, env_for, 60) is None  # and this worker does not start it again
    finally:
        warm.take(None)
        forkserver.stop_worker_server()
        forkserver._failed.clear()


# --------------------------------------------------------------------------- warm kernels


def test_a_kernel_starts_with_the_assignments_modules_and_one_that_fails_to_import_stops_nothing(tmp_path):
    spec = SandboxSpec(True, False, hidden=(str(tmp_path),))
    probe = nbformat.reads(_probe_notebook(), as_version=4)
    probe.cells[-1].source = "import sys\nprint('torch' in sys.modules, 'colorsys' in sys.modules)"
    run = lambda preload: execute(nbformat.writes(probe), {}, Limits(), spec, 1, True, preload)  # noqa: E731
    try:
        seen = [_probe(run(preload))[0] for preload in [("no_such_module", "colorsys")] * 2 + [()]]
    finally:
        warm.take(None)
        forkserver.stop_worker_server()
    # the first is forked from a server that has colorsys (where the grader is root) or starts cold; the second is
    # the warm kernel started for it; the third asked for nothing, as the test course's (it makes no tensor)
    assert seen[1:] == ["False True", "False False"], seen
    assert seen[0] == f"False {forkserver.usable(spec)}"


PROBE = (
    "import os, sys\n"
    "print('torch loaded:', 'torch' in sys.modules)\n"
    "print('names:', sorted(k for k in globals() if not k.startswith('_') and k not in ('os', 'sys')))\n"
    "print('left by an earlier student:', os.path.exists('/tmp/mine'), 'secret' in globals())\n"
    "open('/tmp/mine', 'w').write('x')\n"
    "secret = 42"
)


def _probe_notebook() -> str:
    params = v4.new_code_cell('SEED = 0\nDEVICE = "cpu"\nFAST = True')
    params.metadata["tags"] = ["parameters"]
    nb = v4.new_notebook(cells=[params, v4.new_code_cell(PROBE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


def _probe(result) -> list[str]:
    assert result.fault is None, result.reason
    return nbformat.reads(result.nb_json, as_version=4).cells[-1].outputs[0]["text"].splitlines()


def test_a_warm_kernel_has_torch_loaded_and_nothing_of_the_previous_student(tmp_path):
    spec = SandboxSpec(True, False, hidden=(str(tmp_path),))
    run = lambda warm_kernels: execute(_probe_notebook(), {}, Limits(), spec, 1, warm_kernels)  # noqa: E731
    try:
        cold = _probe(run(False))
        first = _probe(run(True))  # no warm kernel yet: starts cold, leaves one for the next
        second = _probe(run(True))
    finally:
        warm.take(None)  # the warm kernel left for a next submission (matches no key: shut down)
        forkserver.stop_worker_server()  # and this process's fork server, as a worker's at its exit
    assert cold[0] == "torch loaded: False"
    # the first starts cold, unless this worker forks its kernels from a server that has torch (forkserver.py)
    assert first[0] == f"torch loaded: {forkserver.usable(spec)}"
    assert second[0] == "torch loaded: True"  # imported before the student's first cell
    assert first[1] == second[1] == cold[1]  # the preload left no name in the student's namespace
    assert second[2] == cold[2] == "left by an earlier student: False False"  # a fresh sandbox and kernel each
