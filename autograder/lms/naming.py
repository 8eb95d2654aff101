"""Who submitted a file of an LMS's bulk download, read from its name by nbgrader's ``FileNameCollectorPlugin``
(the plugin ``nbgrader zip_collect`` uses), with one named regular expression per LMS.

Canvas ("Download Submissions"): flat files ``<lastnamefirstname>[_LATE]_<userId>_<submissionId>_<file name>``;
a resubmitted file may carry ``-1``, ``-2``, ... before its extension.
Moodle ("Download all submissions"): ``<Full Name>_<participantId>_assignsubmission_file_<file name>`` (flat), or
the same prefix as a folder (``..._file_/`` up to Moodle 3.x, ``..._file/`` since) holding the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from nbgrader.plugins import FileNameCollectorPlugin

CANVAS = r"^(?P<name>[^/\s]+?)(?P<late>_LATE)?_(?P<student_id>\d+)_(?P<submission_id>\d+)_(?P<file_id>[^/]+)$"
MOODLE = r"^(?P<name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file(?:_|_?/(?:[^/]+/)*)(?P<file_id>[^/]+)$"
PATTERNS = {"canvas": CANVAS, "moodle": MOODLE}
LMSES = tuple(PATTERNS)

_RESUBMISSION = re.compile(r"^(?P<stem>.*?)-(?P<n>\d+)$")

# nbgrader logs a warning for every name its pattern does not match; the collect report lists each one once
_quiet = logging.getLogger(__name__ + ".nbgrader")
_quiet.setLevel(logging.ERROR)


@dataclass(frozen=True)
class Named:
    """What a file's name says: the LMS's id of its author and the file's own name, as uploaded."""

    lms_id: str
    file_name: str
    resubmission: int = 0  # Canvas's -N suffix: a higher one is a later upload


NameReader = Callable[[str], Named | None]


def _collector(lms: str) -> FileNameCollectorPlugin:
    return FileNameCollectorPlugin(named_regexp=PATTERNS[lms], valid_ext=[".ipynb"], log=_quiet)


def reader(lms: str) -> NameReader:
    """A function that reads one member name of an ``lms`` archive: its ``Named``, or None for a name the LMS
    does not write (or a file that is not a notebook)."""
    collector = _collector(lms)

    def read(member: str) -> Named | None:
        found = collector.collect(member)
        if not found:
            return None
        file_name = found["file_id"]
        resubmission = _RESUBMISSION.match(file_name[: -len(".ipynb")]) if lms == "canvas" else None
        return Named(found["student_id"], file_name, int(resubmission["n"]) if resubmission else 0)

    return read


def stem_without_resubmission(named: Named) -> str:
    """The file's name as the student uploaded it, without ``.ipynb`` and Canvas's ``-N``."""
    stem = named.file_name[: -len(".ipynb")]
    return _RESUBMISSION.match(stem)["stem"] if named.resubmission else stem


def detect(members: list[str]) -> str:
    """The LMS whose naming more of the archive's names follow (Canvas on a tie: its names are the plainer)."""
    return max(LMSES, key=lambda lms: sum(bool(re.match(PATTERNS[lms], m)) for m in members))
