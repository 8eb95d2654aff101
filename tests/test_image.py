"""The CPU image (docker/Dockerfile.cpu) built for real with podman (`make image`: scripts/local_image.py), and a
course validated and graded inside it with no network and the grading sandbox on, as a grader runs it on a GPU box.

Skips, saying why, only where podman cannot run here (not root, or Debian's podman, runc and mmdebstrap could not
be installed); a build that fails where podman runs is a failure."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from real_course import autograded

from autograder.authoring import sample_class
from autograder.core.course_dir import DEFAULT_ROOT, REPO_ROOT, CourseDir
from autograder.core.submission import State
from autograder.handout.release import release
from autograder.stages import diagnosis
from autograder.stages.pipeline import GradeOptions, load_results
from autograder.trust import reference

_spec = importlib.util.spec_from_file_location("local_image", REPO_ROOT / "scripts" / "local_image.py")
local_image = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(local_image)

ASSIGNMENT = "03_normalization"
NAMED_BUG = "bn_eps_outside_sqrt"  # a known bug whose values the diagnosis can name
COURSE = f"{local_image.WORKDIR}/assignments"  # where the image's autograder looks for the course
SUBMISSIONS = "/home/lab/submissions"
# A student who, inside their kernel, tries to leave a file in the course, wipe the gradebook and reach the network;
# the rest of the notebook is the reference. Outside a sandbox (the image grades as uid 1000, the course's owner)
# the first two would succeed.
SNOOP = f"""
import os, socket
for attempt in (lambda: open({COURSE!r} + '/PWNED', 'w').write('x'),
                lambda: open({COURSE!r} + '/gradebook.db', 'w').close(),
                lambda: socket.create_connection(('1.1.1.1', 53), timeout=2)):
    try:
        attempt()
    except Exception as error:
        print('refused:', type(error).__name__)
"""


@pytest.fixture(scope="module")
def image() -> str:
    if reason := local_image.why_not():
        pytest.skip(reason)
    local_image.build(quiet=True)  # `make image` built it already: the layer cache makes this seconds
    return local_image.IMAGE


def _run(command: list[str], volumes: list[str] = (), sandbox: bool = True, timeout: int = 900):
    args = local_image.run_args(command, volumes=volumes, sandbox=sandbox)
    return local_image.podman(*args, check=False, capture=True, timeout=timeout)


FREEZE = ["python", "-m", "pip", "list", "--format=freeze"]


def _packages(frozen: subprocess.CompletedProcess) -> list[str]:
    """What `pip list --format=freeze` names, the lab itself left out (an editable install at a different path)."""
    assert frozen.returncode == 0, frozen.stderr
    return sorted(line for line in frozen.stdout.splitlines() if not line.startswith("dl-training-lab"))


def test_the_image_installs_what_the_local_set_up_installs_and_runs_offline(image):
    image_packages = _packages(_run(FREEZE))
    local_python = str(REPO_ROOT / ".venv" / "bin" / "python")
    assert image_packages == _packages(subprocess.run([local_python, *FREEZE[1:]], capture_output=True, text=True))
    assert "torch==2.14.1" in image_packages
    offline = _run(["python", "-c", "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)"])
    assert offline.returncode != 0 and "Network is unreachable" in offline.stderr, offline.stderr
    # without the container options the sandbox needs, grading stops at once with one line that names them
    refused = _run(["autograder", "grade", ASSIGNMENT], sandbox=False)
    assert refused.returncode == 2 and "unmask=/proc/*" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr


def _students(folder: Path) -> tuple[list[sample_class.Student], sample_class.Student]:
    """A few students of the sample class, from a release made here, plus the snoop."""
    for part in ("source", "mutants"):
        shutil.copytree(DEFAULT_ROOT / part, folder / "scratch" / part, ignore=shutil.ignore_patterns("*.ipynb"))
    scratch = CourseDir(folder / "scratch")
    release(scratch, ASSIGNMENT)
    everyone = {s.name: s for s in sample_class.build(scratch, ASSIGNMENT)}
    mutant = everyone[f"mutant-{NAMED_BUG}"]
    cheats = everyone["cheats"]  # a known bug with every check replaced by a no-op: it must earn the bug's points
    chosen = [everyone[name] for name in ("reference", "blank", "crash", f"mutant-{cheats.mutant.name}")]
    chosen += [cheats, mutant]
    reference = everyone["reference"].notebooks
    snoop = {name: sample_class.insert_before_first_solution(nb, SNOOP) for name, nb in reference.items()}
    return [*chosen, sample_class.Student("snoop", snoop, kind="misbehaving")], mutant


def _bugs_validate_needs(course: CourseDir) -> set[str] | None:
    """Of the known bugs, those validate's rules need: for every hidden test cell one that loses it and no other
    cell of its item (the table `make validate` filed for these files says which); None (every bug) when no table
    was filed. The image's validate then grades a few bugs, not all 35: what it proves about the image (it runs
    there, sandboxed and offline, and files the table the grading names bugs from) needs no more, and the course's
    own proof is `make validate`'s."""
    options = GradeOptions(graded_only=True)
    version = reference.version_key(course, ASSIGNMENT, options.parameters(), cuda=False)
    table = diagnosis.load(CourseDir(DEFAULT_ROOT), ASSIGNMENT, version)
    if table is None:
        return None
    lost = {
        bug["mutant"]: {
            gid for gid, cell in bug["cells"].items() if cell["error"] or not all(r["passed"] for r in cell["records"])
        }
        for bug in table["bugs"]
    }
    chosen = set()
    for hidden in sorted({gid for cells in lost.values() for gid in cells if gid.endswith("__hidden")}):
        # validate's rule: a bug that loses the hidden cell and none of its item's other cells but hidden ones
        killers = [m for m, cells in lost.items() if hidden in cells and all(g.endswith("__hidden") for g in cells)]
        chosen |= set(sorted(killers)[:1])
    return chosen


def test_a_course_validates_and_grades_inside_the_image_offline_and_sandboxed(image, tmp_path):
    students, mutant = _students(tmp_path)
    needed = _bugs_validate_needs(CourseDir(tmp_path / "scratch"))
    if needed is not None:  # and the bugs the students below hand in
        needed |= {s.mutant.name for s in students if s.mutant is not None}
    for part in ("source", "mutants", "variants"):
        shutil.copytree(DEFAULT_ROOT / part, tmp_path / "course" / part, ignore=shutil.ignore_patterns("*.ipynb"))
    if needed is not None:
        for path in (tmp_path / "course" / "mutants" / ASSIGNMENT).glob("*.py"):
            if path.stem not in needed:
                path.unlink()
    course = CourseDir(tmp_path / "course")  # what a grader mounts: the course folder, writable by the image's uid
    sample_class.write(students, ASSIGNMENT, tmp_path / "submissions")
    subprocess.run(["chown", "-R", "1000:1000", str(course.root)], check=True)

    steps = [
        f"autograder validate {ASSIGNMENT}",
        f"autograder release {ASSIGNMENT}",
        f"autograder grade {ASSIGNMENT} --submissions {SUBMISSIONS}",
        f"autograder report {ASSIGNMENT}",
    ]
    volumes = [f"{course.root}:{COURSE}", f"{tmp_path / 'submissions'}:{SUBMISSIONS}:ro"]
    result = _run(["sh", "-c", " && ".join(steps)], volumes)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert "all checks passed" in result.stdout

    subs = {s.student: s for s in load_results(course, ASSIGNMENT)}
    assert set(subs) == {s.name for s in students}
    score, full = autograded(subs["reference"])  # its written answers wait for a person
    assert full > 0 and (subs["reference"].state, score) == (State.GRADED, full)
    assert subs["blank"].score == 0
    lost = {r.item for r in subs[mutant.name].results if r.points < r.max_points and not r.manual}
    assert lost == {mutant.mutant.breaks}, lost
    # validate's table of known bugs, filed inside the image, names the bug in the feedback
    assert any(d["mutant"] == mutant.mutant.name for r in subs[mutant.name].results for d in r.diagnosis)
    cheat_bug = next(s.mutant.name for s in students if s.name == "cheats")
    assert subs["cheats"].score == subs[f"mutant-{cheat_bug}"].score < full  # the bug's points, not full marks
    assert subs["crash"].state is State.STUDENT_FAULT
    # the sandbox was on: the snoop earned the reference's points and left nothing behind
    assert (subs["snoop"].state, autograded(subs["snoop"])[0]) == (State.GRADED, full), subs["snoop"].reason
    assert not (course.root / "PWNED").exists()
    assert (course.reports / f"{ASSIGNMENT}_class.html").exists()
    assert (course.reports / f"{ASSIGNMENT}_grades.csv").read_text().count("\n") == len(students) + 1
    assert list((course.reports / "feedback" / "snoop" / ASSIGNMENT).glob("*.html"))
