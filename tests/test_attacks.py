"""The attack suite: every hostile or broken submission of tests/attacks.py graded in ONE batch with controls
(the reference, the blank release, a victim whose grade and files others try to change, hostile file names, a
symlinked notebook), sandbox on, once with forked and once with cold kernels. Each must score what the same
submission scores without the attack, no other student's result may change, and the batch must finish."""

from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from attacks import ATTACKS, build
from tiny_course import ASSIGNMENT

from autograder.authoring import sample_class
from autograder.core.submission import State
from autograder.isolation.execute import Limits
from autograder.isolation.sandbox import KERNEL_UIDS, SandboxLimits
from autograder.stages.pipeline import GradeOptions, grade_batch

OPTIONS = GradeOptions(
    limits=Limits(notebook_timeout=40, cell_timeout=15),
    sandbox_limits=SandboxLimits(memory_bytes=1 * 2**30),
    jobs=2,
)
HOSTILE_NAMES = [
    "evil <img src=x onerror=alert(1)><script>alert(2)<\\script>",
    "ünï cödé & spaces",
    "-rf --no-preserve-root",
]
SECRET = "AUTOGRADER_TEST_SECRET"


class Listener:
    """A TCP server on the host's loopback that counts connections (none may arrive from a kernel)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def _outputs(course, student: str) -> str:
    path = course.autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    if not path.exists():
        return ""
    nb = nbformat.read(path, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def _sandbox_processes() -> list[str]:
    """Processes still running as a kernel's uid (sandbox.KERNEL_UIDS)."""
    left = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uid = os.stat(entry.path).st_uid
            except OSError:
                continue
            if uid in KERNEL_UIDS:
                left.append(entry.name)
    return left


@pytest.fixture(scope="module", params=["forked", "cold"])
def batch(request, tmp_path_factory):
    """The whole suite twice: kernels forked by each worker's fork server (with warm kernels, the default where
    the grader is root) and kernels started cold by bubblewrap (non-root graders, CUDA, Dask workers)."""
    from tiny_course import make_course

    from autograder.core.course_dir import CourseDir
    from autograder.handout.release import release

    course = CourseDir(make_course(tmp_path_factory.mktemp("attacks") / "course"))
    release(course, ASSIGNMENT)
    everyone = {s.name: s for s in sample_class.build(course, ASSIGNMENT)}
    bases = {
        "blank": everyone["blank"].notebooks,
        "reference": everyone["reference"].notebooks,
        "add_subtracts": everyone["mutant-add_subtracts"].notebooks,
    }
    students = [
        sample_class.Student("reference", bases["reference"]),
        sample_class.Student("blank", bases["blank"], kind="blank"),
        sample_class.Student("victim", bases["reference"]),
        *(sample_class.Student(name, bases["reference"]) for name in HOSTILE_NAMES),
    ]
    sample_class.write(students, ASSIGNMENT, course.submitted)
    victim = course.submitted / "victim" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    linker = course.submitted / "linker" / ASSIGNMENT
    linker.mkdir(parents=True)
    (linker / f"{ASSIGNMENT}.ipynb").symlink_to(victim)
    listener = Listener()
    paths = {
        "course": str(course.root),
        "gradebook": str(course.root / "gradebook.db"),
        "victim": str(victim),
        "port": str(listener.port),
        "home": str(Path.home()),
    }
    sample_class.write(
        [sample_class.Student(a.name, build(a, bases, paths), kind="misbehaving") for a in ATTACKS],
        ASSIGNMENT,
        course.submitted,
    )
    victim_bytes = victim.read_bytes()
    os.environ[SECRET] = "s3cr3t"
    try:
        options = replace(OPTIONS, warm_kernels=request.param == "forked")
        subs = {s.student: s for s in grade_batch(course, ASSIGNMENT, course.submitted, options)}
    finally:
        os.environ.pop(SECRET, None)
        listener.close()
    return course, subs, victim, victim_bytes, listener


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_scores_what_it_would_without_the_attack(batch, attack):
    course, subs, *_ = batch
    sub = subs[attack.name]
    assert sub.score == attack.score, (sub.state, sub.reason, [(r.grade_id, r.points, r.message) for r in sub.results])
    assert sub.state.value in attack.states, sub.reason
    printed = _outputs(course, attack.name)
    for text in attack.must_not_print:
        assert text not in printed, f"{attack.name} printed {text!r}"


def test_controls_and_the_victim_are_untouched(batch):
    course, subs, victim, victim_bytes, listener = batch
    for name in ("reference", "victim", *HOSTILE_NAMES):
        assert (subs[name].score, subs[name].state) == (4.0, State.GRADED), (name, subs[name].reason)
    assert (subs["blank"].score, subs["blank"].state) == (0.0, State.GRADED)
    assert victim.read_bytes() == victim_bytes
    assert not (course.autograded / "victim" / ASSIGNMENT / "x").exists()
    assert listener.connections == 0
    linked = subs["linker"]
    assert (linked.score, linked.state) == (0.0, State.STUDENT_FAULT) and "symbolic link" in linked.reason


def test_a_cell_that_ignores_the_interrupt_loses_its_kernel_not_the_whole_notebook_time(batch):
    _, subs, *_ = batch
    sub = subs["sigint-proof-loop"]
    assert "did not stop when interrupted" in sub.reason and "notebook ran longer" not in sub.reason, sub.reason
    assert sub.timings["execute"] < OPTIONS.limits.notebook_timeout  # killed: the rest of the time was not waited


def test_the_key_attacks_are_caught_as_tampering(batch):
    _, subs, *_ = batch
    for name in (
        "transformer-empties-cells",
        "transformer-skips-tests",
        "showtraceback-silenced",
        "custom-exc-swallows",
    ):
        assert subs[name].state is State.TAMPERING, (name, subs[name].state, subs[name].reason)
        assert "not confirmed outside the kernel" in subs[name].reason


def test_the_grader_lines_cannot_be_turned(batch):
    """The kernel guard itself stops these (not a side effect such as missing records): its reason is given."""
    _, subs, *_ = batch
    for attack in (a for a in ATTACKS if "turns-the-grader" in a.tags):
        sub = subs[attack.name]
        assert "the kernel's guard stopped it" in sub.reason, (attack.name, sub.state, sub.reason)


def test_a_library_twin_called_at_run_time_costs_its_cells_and_is_flagged(batch):
    _, subs, *_ = batch
    for attack in (a for a in ATTACKS if "forbidden" in a.tags):
        sub = subs[attack.name]
        assert any(f.startswith("add: called ") for f in sub.flags), (attack.name, sub.flags)
        lost = {r.grade_id: r.message for r in sub.results if r.item == "add"}
        assert all(m.startswith("ForbiddenCall") for m in lost.values()), lost


def test_the_attacks_are_flagged_and_feedback_shows_text_only(batch):
    course, subs, *_ = batch
    for name in ("patch-compare", "reads-the-course-sources", "transformer-empties-cells", "fork-bomb"):
        assert subs[name].flags, name
    assert not subs["reference"].flags
    pages = list((course.reports / "feedback").rglob("*.html"))
    assert len(pages) >= len(subs), "every graded student has a page for the instructor"
    assert not list(course.feedback.rglob("*.html")), "nothing reaches the students' folder before release-feedback"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "<img" not in text, page


def test_every_autograded_notebook_stays_small(batch):
    course, *_ = batch
    sizes = {p.parent.parent.name: p.stat().st_size for p in course.autograded.glob(f"*/{ASSIGNMENT}/*.ipynb")}
    assert sizes and max(sizes.values()) < 5_000_000, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_nothing_is_left_running_or_on_disk(batch):
    assert _sandbox_processes() == []
    leftovers = [p for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("ag-*") if p.is_dir()]
    assert leftovers == []


def test_the_grader_memory_stays_bounded(batch):
    """However much the attacks sent (100 MB records, a million records, megabytes of output in many cells), the
    grader's own process stays well within a worker's budget (DESIGN.md: 2 GiB). Kernels are bounded by their
    sandbox's watch (tested in test_sandbox); the largest child process is printed at the end of the run."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert own < 2 * 2**30, f"the grader's process peaked at {own / 2**20:.0f} MiB"
