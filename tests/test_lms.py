"""LMS in and out: Canvas and Moodle bulk downloads built in the test into nbgrader's layout, and the grade
import files those systems accept."""

from __future__ import annotations

import csv
import json
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tiny_course import ASSIGNMENT

from autograder.cli import main
from autograder.core.errors import UsageError
from autograder.core.submission import ItemResult, State, Submission
from autograder.lms import export, ids
from autograder.lms.collect import collect_zip
from autograder.stages.collect import collect as pipeline_collect

JAN, FEB = (2024, 1, 15, 10, 0, 0), (2024, 2, 15, 10, 0, 0)


def notebook(who: str) -> bytes:
    return json.dumps({"cells": [], "metadata": {"who": who}, "nbformat": 4, "nbformat_minor": 5}).encode()


def entry(name: str, data: bytes | str, when=JAN, mode: int = stat.S_IFREG | 0o644) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, date_time=when)
    info.create_system = 3  # Unix: the mode bits below mean what they say
    info.external_attr = mode << 16
    return info, data.encode() if isinstance(data, str) else data


def make_zip(path: Path, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data, zipfile.ZIP_DEFLATED)
    return path


def tree(root: Path) -> dict[str, str]:
    """Every file under root (links too) with who wrote it, as the notebooks above say."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or path.is_file():
            text = "" if path.is_symlink() else path.read_text(encoding="utf-8")
            found[path.relative_to(root).as_posix()] = json.loads(text)["metadata"]["who"] if text else "link"
    return found


def write_ids(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def reasons(report) -> list[tuple[str, str]]:
    return [(u.member, u.reason) for u in report.unplaced]


def assert_collected(report, lms: str, placed: dict[str, str], unplaced: list[tuple[str, str]]) -> None:
    assert report.lms == lms
    assert tree(report.target) == placed
    assert reasons(report) == unplaced


CANVAS_ZIP = [
    entry("doejohn_1234_5678_00_tiny.ipynb", notebook("doe first upload")),
    entry("doejohn_1234_5679_00_tiny-1.ipynb", notebook("doe resubmission")),
    entry("doejohn_1234_5680_notes.pdf", b"%PDF-1.4"),
    entry("roesmary_LATE_2222_6000_lab.ipynb", notebook("roe late")),
    entry("müllerjörg_3333_7000_00_tiny.ipynb", notebook("müller")),
    entry("readme.ipynb", notebook("no lms name")),
    entry("../evil.ipynb", notebook("evil")),
    entry("/etc/abs_1_2_x.ipynb", notebook("absolute")),
    entry("linkyann_4444_8000_00_tiny.ipynb", "/etc/passwd", mode=stat.S_IFLNK | 0o777),
    entry("folder/", b"", mode=stat.S_IFDIR | 0o755),
]


def test_canvas_archive_is_placed_by_user_id_and_every_other_file_reported(tmp_path):
    archive = make_zip(tmp_path / "submissions.zip", CANVAS_ZIP)
    target = tmp_path / "course" / "submitted"
    assert_collected(
        collect_zip(archive, ASSIGNMENT, [ASSIGNMENT], target),
        "canvas",
        {
            "1234/00_tiny/00_tiny.ipynb": "doe resubmission",
            "2222/00_tiny/00_tiny.ipynb": "roe late",
            "3333/00_tiny/00_tiny.ipynb": "müller",
        },
        [
            ("../evil.ipynb", "unsafe path (absolute or with ..)"),
            ("/etc/abs_1_2_x.ipynb", "unsafe path (absolute or with ..)"),
            ("doejohn_1234_5678_00_tiny.ipynb", "superseded by doejohn_1234_5679_00_tiny-1.ipynb"),
            ("doejohn_1234_5680_notes.pdf", "not a notebook"),
            ("linkyann_4444_8000_00_tiny.ipynb", "symbolic link"),
            ("readme.ipynb", "not named the way canvas names submissions"),
        ],
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "submissions.zip"]  # nothing beside DIR
    assert [p.name for p in (tmp_path / "course").iterdir()] == ["submitted"]


def test_the_grading_stage_reads_what_collect_placed(tmp_path):
    target = tmp_path / "submitted"
    collect_zip(make_zip(tmp_path / "c.zip", CANVAS_ZIP), ASSIGNMENT, [ASSIGNMENT], target)
    subs = pipeline_collect(target, ASSIGNMENT, [ASSIGNMENT])
    assert [(s.student, s.state, s.path.name) for s in subs] == [
        (student, State.PENDING, f"{ASSIGNMENT}.ipynb") for student in ("1234", "2222", "3333")
    ]


MOODLE_IDS = [
    ["student", "lms_id", "name", "email"],
    ["alice", "101", "Alice Smith", "alice@uni.example"],
    ["bob", "102", "Bob Jones", "bob@uni.example"],
    ["chloé", "103", "Chloé Dupré", "chloe@uni.example"],
    ["../eve", "105", "Eve Evil", "eve@uni.example"],
    [".hidden", "106", "Hid Den", "hid@uni.example"],
]


def test_moodle_folders_flat_names_and_mapping_file(tmp_path):
    archive = make_zip(
        tmp_path / "moodle.zip",
        [
            entry(f"Alice Smith_101_assignsubmission_file_/{ASSIGNMENT}.ipynb", notebook("alice")),
            entry("Alice Smith_101_assignsubmission_onlinetext_/onlinetext.html", "<p>see my notebook</p>"),
            entry(f"Bob Jones_102_assignsubmission_file/{ASSIGNMENT}.ipynb", notebook("bob"), when=JAN),
            entry("Bob Jones_102_assignsubmission_file/copy of it.ipynb", notebook("bob stray"), when=FEB),
            entry(f"Chloé Dupré_103_assignsubmission_file_{ASSIGNMENT}.ipynb", notebook("chloé")),
            entry(f"Dan Nomap_104_assignsubmission_file_{ASSIGNMENT}.ipynb", notebook("dan")),
            entry(f"Eve Evil_105_assignsubmission_file_{ASSIGNMENT}.ipynb", notebook("eve")),
            entry(f"Hid Den_106_assignsubmission_file_{ASSIGNMENT}.ipynb", notebook("hid")),
        ],
    )
    target = tmp_path / "submitted"
    earlier = target / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(notebook("alice, an earlier download"))
    roster = ids.load(write_ids(tmp_path / "ids.csv", MOODLE_IDS))

    report = collect_zip(archive, ASSIGNMENT, [ASSIGNMENT], target, roster=roster)

    assert_collected(
        report,
        "moodle",
        {
            "alice/00_tiny/00_tiny.ipynb": "alice",
            "bob/00_tiny/00_tiny.ipynb": "bob",
            "chloé/00_tiny/00_tiny.ipynb": "chloé",
        },
        [
            ("Alice Smith_101_assignsubmission_onlinetext_/onlinetext.html", "Moodle online text, not a notebook"),
            (
                "Bob Jones_102_assignsubmission_file/copy of it.ipynb",
                f"superseded by Bob Jones_102_assignsubmission_file/{ASSIGNMENT}.ipynb",
            ),
            (f"Dan Nomap_104_assignsubmission_file_{ASSIGNMENT}.ipynb", "moodle id 104 is not in the mapping file"),
            (f"Eve Evil_105_assignsubmission_file_{ASSIGNMENT}.ipynb", "student '../eve' is not a safe folder name"),
            (f"Hid Den_106_assignsubmission_file_{ASSIGNMENT}.ipynb", "student '.hidden' is not a safe folder name"),
        ],
    )
    assert [p.replaced for p in report.placed] == [True, False, False]
    assert report.lines()[:2] == [
        f"placed 3 notebook(s) from a moodle archive under {target}",
        "replaced: alice/00_tiny/00_tiny.ipynb",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ids.csv", "moodle.zip", "submitted"]


def test_several_notebooks_match_on_the_uploaded_name_and_the_highest_resubmission_wins(tmp_path):
    archive = make_zip(
        tmp_path / "c.zip",
        [
            entry("doejohn_1_2_part_a.ipynb", notebook("a")),
            entry("doejohn_1_4_part_b-1.ipynb", notebook("b first resubmission"), when=FEB),
            entry("doejohn_1_3_Part_B-2.ipynb", notebook("b second resubmission"), when=JAN),
            entry("doejohn_1_5_scratch.ipynb", notebook("scratch")),
        ],
    )
    assert_collected(
        collect_zip(archive, ASSIGNMENT, ["part_a", "part_b"], tmp_path / "out", lms="canvas"),
        "canvas",
        {"1/00_tiny/part_a.ipynb": "a", "1/00_tiny/part_b.ipynb": "b second resubmission"},
        [
            ("doejohn_1_4_part_b-1.ipynb", "superseded by doejohn_1_3_Part_B-2.ipynb"),
            ("doejohn_1_5_scratch.ipynb", "matches none of the assignment's notebooks (part_a, part_b)"),
        ],
    )


def test_forcing_the_wrong_lms_reports_every_name_as_unknown(tmp_path):
    archive = make_zip(tmp_path / "c.zip", [entry("doejohn_1_2_00_tiny.ipynb", notebook("doe"))])
    report = collect_zip(archive, ASSIGNMENT, [ASSIGNMENT], tmp_path / "out", lms="moodle")
    assert report.placed == []
    assert reasons(report) == [("doejohn_1_2_00_tiny.ipynb", "not named the way moodle names submissions")]


def test_size_limits_per_member_and_per_archive_leave_no_partial_file(tmp_path):
    big = notebook("x" * 400)
    archive = make_zip(
        tmp_path / "c.zip",
        [
            entry("aa_1_1_00_tiny.ipynb", notebook("first")),
            entry("bb_2_2_00_tiny.ipynb", notebook("second")),
            entry("cc_3_3_00_tiny.ipynb", big),
        ],
    )
    room = len(notebook("first")) + 10
    report = collect_zip(archive, ASSIGNMENT, [ASSIGNMENT], tmp_path / "out", member_limit=300, total_limit=room)
    assert tree(tmp_path / "out") == {"1/00_tiny/00_tiny.ipynb": "first"}
    assert reasons(report) == [
        ("bb_2_2_00_tiny.ipynb", f"too large for what is left of the {room} bytes one archive may write"),
        ("cc_3_3_00_tiny.ipynb", f"too large ({len(big)} bytes; the limit is 300 bytes)"),
    ]
    assert not list((tmp_path / "out").rglob("*.part"))


def test_a_linked_student_folder_in_the_target_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = tmp_path / "out"
    target.mkdir()
    (target / "1").symlink_to(elsewhere, target_is_directory=True)
    archive = make_zip(tmp_path / "c.zip", [entry("doejohn_1_2_00_tiny.ipynb", notebook("doe"))])
    report = collect_zip(archive, ASSIGNMENT, [ASSIGNMENT], target)
    assert reasons(report) == [("doejohn_1_2_00_tiny.ipynb", "1/00_tiny is a symbolic link in the target")]
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["student", "name"], ["alice", "A"]], "{path}: no column lms_id (the header needs student, lms_id)"),
        ([["student", "lms_id"], ["alice", "1"], ["bob", "1"]], "{path} line 3: lms_id '1' is already on line 2"),
        ([["student", "lms_id"], ["al", "1"], ["al", "2"]], "{path} line 3: student 'al' is already on line 2"),
        ([["student", "lms_id"], ["", "1"]], "{path} line 2: empty student"),
        ([["student", "lms_id"]], "{path}: no students in it"),
    ],
)
def test_bad_mapping_files_name_the_line(tmp_path, rows, message):
    path = write_ids(tmp_path / "ids.csv", rows)
    with pytest.raises(UsageError) as caught:
        ids.load(path)
    assert str(caught.value) == "mapping file " + message.format(path=path)


def test_mapping_file_with_a_bom_and_extra_columns_loads(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("\ufeffStudent, LMS_ID ,section,notes\nalice,7,A1,ignored\n", encoding="utf-8")
    assert ids.load(path).people == (ids.Person("alice", "7", section="A1"),)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_collect_command_places_into_the_course_and_prints_the_report(tiny, tmp_path, capsys):
    archive = make_zip(tmp_path / "canvas.zip", CANVAS_ZIP)
    mapping = write_ids(tmp_path / "ids.csv", [["student", "lms_id"], ["doe", "1234"], ["roe", "2222"]])
    code, out, err = run_cli(
        capsys, "--course", str(tiny.root), "collect", ASSIGNMENT, str(archive), "--ids", str(mapping)
    )
    assert (code, err) == (0, "")
    assert tree(tiny.submitted) == {
        "doe/00_tiny/00_tiny.ipynb": "doe resubmission",
        "roe/00_tiny/00_tiny.ipynb": "roe late",
    }
    assert out.splitlines() == [
        f"placed 2 notebook(s) from a canvas archive under {tiny.submitted}",
        "not placed (7):",
        "  ../evil.ipynb: unsafe path (absolute or with ..)",
        "  /etc/abs_1_2_x.ipynb: unsafe path (absolute or with ..)",
        "  doejohn_1234_5678_00_tiny.ipynb: superseded by doejohn_1234_5679_00_tiny-1.ipynb",
        "  doejohn_1234_5680_notes.pdf: not a notebook",
        "  linkyann_4444_8000_00_tiny.ipynb: symbolic link",
        "  müllerjörg_3333_7000_00_tiny.ipynb: canvas id 3333 is not in the mapping file",
        "  readme.ipynb: not named the way canvas names submissions",
    ]


@pytest.mark.parametrize(
    ("content", "fragment"), [(None, "archive not found"), (b"PK not a zip", "not a readable zip archive")]
)
def test_collect_command_refuses_a_missing_or_corrupt_zip(tiny, tmp_path, capsys, content, fragment):
    archive = tmp_path / "submissions.zip"
    if content is not None:
        archive.write_bytes(content)
    code, out, err = run_cli(capsys, "--course", str(tiny.root), "collect", ASSIGNMENT, str(archive))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("autograder: error: ") and fragment in err


def test_collect_command_refuses_a_target_it_cannot_create(tiny, tmp_path, capsys):
    archive = make_zip(tmp_path / "c.zip", CANVAS_ZIP)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    code, _, err = run_cli(
        capsys, "--course", str(tiny.root), "collect", ASSIGNMENT, str(archive), "--submissions", str(blocker / "sub")
    )
    assert (
        code == 2
        and err == f"autograder: error: cannot write the submissions into {blocker / 'sub'}: Not a directory\n"
    )


def test_collect_command_refuses_an_unknown_assignment_and_a_bad_mapping_file(tiny, tmp_path, capsys):
    archive = make_zip(tmp_path / "c.zip", CANVAS_ZIP)
    code, _, err = run_cli(capsys, "--course", str(tiny.root), "collect", "nope", str(archive))
    assert code == 2 and err == "autograder: error: unknown assignment 'nope'; known: 00_tiny\n"
    bad = write_ids(tmp_path / "ids.csv", [["student"], ["alice"]])
    code, _, err = run_cli(capsys, "--course", str(tiny.root), "collect", ASSIGNMENT, str(archive), "--ids", str(bad))
    assert code == 2 and len(err.splitlines()) == 1 and "no column lms_id" in err
    assert not tiny.submitted.exists()


def graded(student: str, points: list[float], state: State = State.GRADED) -> Submission:
    sub = Submission(student, ASSIGNMENT, ASSIGNMENT, None, state)
    sub.results = [ItemResult(f"i{n}", f"item{n}", p, 2.0) for n, p in enumerate(points)]
    return sub


RESULTS = [
    graded("alice", [2.0, 1.5]),
    graded("bob", [0.0, 0.25]),
    graded("chloé", [], State.GRADER_FAULT),
    graded("zed", [2.0, 2.0]),
]
EXPORT_IDS = [
    ["student", "lms_id", "name", "email", "sis_user_id", "sis_login_id", "section"],
    ["alice", "101", "Smith, Alice", "alice@uni.example", "S-1", "asmith", "Lab A"],
    ["bob", "102", "Jones, Bob", "bob@uni.example", "S-2", "bjones", "Lab B"],
    ["chloé", "103", "Dupré, Chloé", "chloe@uni.example", "S-3", "cdupre", "Lab A"],
    ["dan", "104", "Nomap, Dan", "dan@uni.example", "S-4", "dnomap", "Lab B"],
]


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_canvas_gradebook_import_csv(tmp_path):
    roster = ids.load(write_ids(tmp_path / "ids.csv", EXPORT_IDS))
    result = export.write(RESULTS, ASSIGNMENT, roster, "canvas", tmp_path / "out", column="Tiny lab (4321)")
    assert result.path == tmp_path / "out" / f"{ASSIGNMENT}_canvas.csv"
    assert read_rows(result.path) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Tiny lab (4321)"],
        ["Points Possible", "", "", "", "", "4"],
        ["Smith, Alice", "101", "S-1", "asmith", "Lab A", "3.5"],
        ["Jones, Bob", "102", "S-2", "bjones", "Lab B", "0.25"],
        ["Dupré, Chloé", "103", "S-3", "cdupre", "Lab A", ""],
        ["Nomap, Dan", "104", "S-4", "dnomap", "Lab B", ""],
    ]
    assert (result.graded, result.no_result, result.held, result.not_in_mapping) == (2, ["dan"], ["chloé"], ["zed"])


def test_moodle_grading_worksheet(tmp_path):
    roster = ids.load(write_ids(tmp_path / "ids.csv", EXPORT_IDS))
    now = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    result = export.write(RESULTS, ASSIGNMENT, roster, "moodle", tmp_path, now=now)
    modified = "2024-03-01T12:30:00+00:00"
    assert read_rows(result.path) == [
        ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Last modified (grade)"],
        ["Participant 101", "Smith, Alice", "alice@uni.example", "3.5", "4", modified],
        ["Participant 102", "Jones, Bob", "bob@uni.example", "0.25", "4", modified],
        ["Participant 103", "Dupré, Chloé", "chloe@uni.example", "", "4", modified],
        ["Participant 104", "Nomap, Dan", "dan@uni.example", "", "4", modified],
    ]
    assert result.warnings() == [
        "not exported (not in the mapping file): zed",
        "empty grade (grader fault, regrade first): chloé",
    ]


def write_results(course, subs: list[Submission]) -> None:
    for sub in subs:
        path = course.autograded / sub.student / ASSIGNMENT / f"{sub.notebook_name}.result.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sub.to_summary()), encoding="utf-8")


def test_report_command_writes_the_moodle_worksheet_and_lists_who_was_left_out(tiny, tmp_path, capsys):
    write_results(tiny, RESULTS)
    mapping = write_ids(tmp_path / "ids.csv", EXPORT_IDS)
    code, out, err = run_cli(
        capsys, "--course", str(tiny.root), "report", ASSIGNMENT, "--format", "moodle", "--ids", str(mapping)
    )
    path = tiny.reports / f"{ASSIGNMENT}_moodle.csv"
    assert code == 0
    assert out == f"moodle grade import: {path} (2 graded, 1 without a result, 1 held back, 0 pending manual grading)\n"
    assert err.splitlines() == [
        "not exported (not in the mapping file): zed",
        "empty grade (grader fault, regrade first): chloé",
    ]
    assert [row[:4] for row in read_rows(path)[1:3]] == [
        ["Participant 101", "Smith, Alice", "alice@uni.example", "3.5"],
        ["Participant 102", "Jones, Bob", "bob@uni.example", "0.25"],
    ]
    assert not (tiny.reports / f"{ASSIGNMENT}_grades.csv").exists()


def test_report_command_default_format_is_unchanged(tiny, capsys):
    write_results(tiny, RESULTS)
    code, out, _ = run_cli(capsys, "--course", str(tiny.root), "report", ASSIGNMENT)
    assert code == 0 and out.startswith(f"grades: {tiny.reports / f'{ASSIGNMENT}_grades.csv'}\n")
    assert read_rows(tiny.reports / f"{ASSIGNMENT}_grades.csv")[0] == [
        "student",
        "item0",
        "item1",
        "total",
        "state",
        "late",
        "flags",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "canvas"], "--format canvas needs --ids FILE (the student-id mapping file)"),
        (["--ids", "ids.csv"], "--ids and --column go with --format canvas or moodle"),
        (["--format", "moodle", "--ids", "/no/such/ids.csv"], "mapping file /no/such/ids.csv: cannot read it"),
    ],
)
def test_report_command_lms_mistakes_exit_2_with_one_line(tiny, capsys, args, message):
    write_results(tiny, RESULTS)
    code, out, err = run_cli(capsys, "--course", str(tiny.root), "report", ASSIGNMENT, *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"autograder: error: {message}")


def test_report_command_lms_format_without_results_exits_2(tiny, tmp_path, capsys):
    mapping = write_ids(tmp_path / "ids.csv", EXPORT_IDS)
    code, _, err = run_cli(
        capsys, "--course", str(tiny.root), "report", ASSIGNMENT, "--format", "canvas", "--ids", str(mapping)
    )
    assert code == 2 and err.startswith("autograder: error: no graded submissions of 00_tiny")
