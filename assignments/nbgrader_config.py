"""nbgrader configuration for this course root (used by `nbgrader ...` and JupyterLab's nbgrader extension).

The settings themselves live in autograder.core.course_dir.nbgrader_config so the grader and nbgrader agree.
"""

import os
from pathlib import Path

from autograder.core.course_dir import nbgrader_config

_root = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 - provided by nbgrader's config loader
# `autograder lab --instructor --db URL` passes its gradebook here: the formgrader must grade the same one
c.merge(nbgrader_config(_root, os.environ.get("AUTOGRADER_DB_URL") or f"sqlite:///{_root / 'gradebook.db'}"))
