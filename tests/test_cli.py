"""Mistakes a user can make on the command line: one line on stderr, exit code 2, no traceback."""

import subprocess

import pytest
from cli_command import autograder
from tiny_course import ASSIGNMENT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(autograder(*args), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["grade", "no_such_assignment"], "unknown assignment 'no_such_assignment'"),
        (["grade", ASSIGNMENT, "--submissions", "/no/such/dir"], "submissions directory not found"),
        (["grade", ASSIGNMENT, "--db", "not-a-url"], "bad database URL"),
        (["grade", ASSIGNMENT, "--db", "sqlite:////no/such/dir/gradebook.db", "--submissions", "."], "cannot open"),
        (["grade", ASSIGNMENT, "--db", "postgresql://u@127.0.0.1:1/x", "--submissions", "."], "cannot open"),
        (["grade", ASSIGNMENT, "--timeout", "soon"], "not a number"),
        (["grade", ASSIGNMENT, "--cell-timeout", "-3"], "must be positive"),
        (["grade", ASSIGNMENT, "--device", "tpu"], "invalid choice"),
        (["grade"], "required"),
        (["validate", ASSIGNMENT, "--seeds", "0"], "must be positive"),
        (["frobnicate"], "invalid choice"),
        (["report", ASSIGNMENT], "no graded submissions"),
        (["release", "nope"], "unknown assignment"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(tiny, args, fragment):
    result = run("--course", str(tiny.root), *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_missing_course_root_exits_2(tmp_path):
    result = run("--course", str(tmp_path / "nowhere"), "release")
    assert result.returncode == 2 and "course root not found" in result.stderr


def test_cuda_requested_without_a_gpu_exits_2(tiny):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: --device cuda is valid here")
    result = run("--course", str(tiny.root), "grade", ASSIGNMENT, "--device", "cuda")
    assert result.returncode == 2 and "no CUDA device" in result.stderr


def test_every_command_has_help():
    commands = ["release", "validate", "grade", "collect", "report", "demo", "lab"]
    for command in [*commands, "release-feedback", "extend", "similarity"]:
        result = run(command, "--help")
        assert result.returncode == 0 and "usage: autograder" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extend", ASSIGNMENT, "ann", "--days", "-1"], "negative"),
        (["extend", "99_nothing", "ann", "--days", "1"], "99_nothing"),
        (["release-feedback", ASSIGNMENT], "no graded submissions"),
    ],
)
def test_instructor_commands_refuse_a_mistake_in_one_line(tiny, args, message):
    result = run("--course", str(tiny.root), *args)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_release_command_writes_the_student_version(tiny):
    result = run("--course", str(tiny.root), "release", ASSIGNMENT)
    assert result.returncode == 0, result.stderr
    assert (tiny.release / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()


def test_a_mistake_in_the_inputs_setting_exits_2_naming_the_file(tiny):
    (tiny.root / "course.toml").write_text('[inputs]\nper_student = "yes"\n')
    result = run("--course", str(tiny.root), "grade", ASSIGNMENT, "--submissions", str(tiny.root))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "course.toml: inputs.per_student" in lines[0], result.stderr
