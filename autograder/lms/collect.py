"""``autograder collect``: an LMS's bulk download of one assignment into ``DIR/<student>/<assignment>/``.

Every file of the archive is either placed as ``<notebook>.ipynb`` of one student or reported with the reason it
was not; nothing is written but those notebooks, and only inside DIR.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder.core.errors import UsageError
from autograder.lms import archive as zips
from autograder.lms import naming
from autograder.lms.ids import Roster


@dataclass(frozen=True)
class Unplaced:
    member: str
    reason: str


@dataclass(frozen=True)
class Placed:
    member: str
    path: Path
    replaced: bool  # an earlier copy was there (a second download of the same assignment)


@dataclass
class CollectReport:
    lms: str
    target: Path
    placed: list[Placed]
    unplaced: list[Unplaced]

    def lines(self) -> list[str]:
        lines = [f"placed {len(self.placed)} notebook(s) from a {self.lms} archive under {self.target}"]
        lines += [f"replaced: {p.path.relative_to(self.target)}" for p in self.placed if p.replaced]
        if self.unplaced:
            lines.append(f"not placed ({len(self.unplaced)}):")
            lines += [f"  {u.member}: {u.reason}" for u in self.unplaced]
        return lines


@dataclass(frozen=True)
class _Candidate:
    info: zipfile.ZipInfo
    index: int
    student: str
    notebook: str
    named: naming.Named
    named_as_notebook: bool  # the uploaded name is the notebook's (a stray notebook loses to it)

    def recency(self) -> tuple:
        return self.named_as_notebook, self.named.resubmission, self.info.date_time, self.index


def is_safe_folder_name(name: str) -> bool:
    return bool(name) and not name.startswith(".") and not any(c in name for c in "/\\\0")


@dataclass(frozen=True)
class _Rules:
    """What makes a member one student's notebook of the assignment."""

    lms: str
    notebooks: list[str]
    roster: Roster | None
    member_limit: int

    def judge(self, info: zipfile.ZipInfo, index: int, read: naming.NameReader) -> _Candidate | Unplaced:
        member = info.filename
        refused = zips.refusal(info, self.member_limit)
        if refused:
            return Unplaced(member, refused)
        if not member.endswith(".ipynb"):
            online_text = "_assignsubmission_onlinetext" in member
            return Unplaced(member, "Moodle online text, not a notebook" if online_text else "not a notebook")
        named = read(member)
        if named is None:
            return Unplaced(member, f"not named the way {self.lms} names submissions")
        student = self.student_of(named)
        if student is None:
            return Unplaced(member, f"{self.lms} id {named.lms_id} is not in the mapping file")
        if not is_safe_folder_name(student):
            return Unplaced(member, f"student {student!r} is not a safe folder name")
        notebook, exact = self.notebook_of(named)
        if notebook is None:
            return Unplaced(member, f"matches none of the assignment's notebooks ({', '.join(self.notebooks)})")
        return _Candidate(info, index, student, notebook, named, exact)

    def student_of(self, named: naming.Named) -> str | None:
        if self.roster is None:
            return named.lms_id
        person = self.roster.by_lms_id(named.lms_id)
        return person.student if person else None

    def notebook_of(self, named: naming.Named) -> tuple[str | None, bool]:
        """The notebook a file is, and whether its name says so; an assignment of one notebook takes any."""
        uploaded = {named.file_name[: -len(".ipynb")].lower(), naming.stem_without_resubmission(named).lower()}
        exact = next((n for n in self.notebooks if n.lower() in uploaded), None)
        if exact:
            return exact, True
        return (self.notebooks[0], False) if len(self.notebooks) == 1 else (None, False)


def _latest(candidates: list[_Candidate]) -> tuple[list[_Candidate], list[Unplaced]]:
    """One file per student and notebook: the latest upload; the others are reported as superseded by it."""
    groups: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    for c in candidates:
        groups[c.student, c.notebook].append(c)
    kept, superseded = [], []
    for group in groups.values():
        *older, latest = sorted(group, key=_Candidate.recency)
        kept.append(latest)
        superseded += [Unplaced(c.info.filename, f"superseded by {latest.info.filename}") for c in older]
    return kept, superseded


def _linked_folder(target: Path, student: str, assignment: str) -> bool:
    return (target / student).is_symlink() or (target / student / assignment).is_symlink()


def _too_large(own_limit: bool, member_limit: int, total_limit: int) -> str:
    if own_limit:
        return f"too large (the limit is {zips.mib(member_limit)})"
    return f"too large for what is left of the {zips.mib(total_limit)} one archive may write"


def _write(
    archive: zipfile.ZipFile, kept: list[_Candidate], assignment: str, target: Path, member_limit: int, total_limit: int
) -> tuple[list[Placed], list[Unplaced]]:
    placed, failed, total = [], [], 0
    for c in sorted(kept, key=lambda c: (c.student, c.notebook)):
        member = c.info.filename
        if _linked_folder(target, c.student, assignment):
            failed.append(Unplaced(member, f"{c.student}/{assignment} is a symbolic link in the target"))
            continue
        path = target / c.student / assignment / f"{c.notebook}.ipynb"
        existed = path.exists() or path.is_symlink()
        limit = min(member_limit, total_limit - total)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            total += zips.copy_member(archive, c.info, path, limit)
        except zips.TooLarge:
            failed.append(Unplaced(member, _too_large(limit == member_limit, member_limit, total_limit)))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            failed.append(Unplaced(member, f"cannot be read or written ({exc})"))
        else:
            placed.append(Placed(member, path, existed))
    return placed, failed


def _make_target(target: Path) -> None:
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write the submissions into {target}: {exc.strerror}") from None


def collect_zip(
    archive_path: Path,
    assignment: str,
    notebooks: list[str],
    target: Path,
    lms: str = "auto",
    roster: Roster | None = None,
    member_limit: int = zips.MEMBER_LIMIT,
    total_limit: int = zips.TOTAL_LIMIT,
) -> CollectReport:
    """Place the notebooks of the archive as ``target/<student>/<assignment>/<notebook>.ipynb``; ``<student>`` is
    the mapping file's ``student`` of the LMS id (without one, the LMS id itself)."""
    with zips.open_zip(archive_path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if lms == "auto":
            lms = naming.detect([info.filename for info in members])
        rules, read = _Rules(lms, notebooks, roster, member_limit), naming.reader(lms)
        judged = [rules.judge(info, index, read) for index, info in enumerate(members)]
        kept, superseded = _latest([j for j in judged if isinstance(j, _Candidate)])
        _make_target(target)
        placed, failed = _write(archive, kept, assignment, target, member_limit, total_limit)
    unplaced = [j for j in judged if isinstance(j, Unplaced)] + superseded + failed
    return CollectReport(lms, target, placed, sorted(unplaced, key=lambda u: u.member))
