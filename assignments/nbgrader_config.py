"""nbgrader configuration for this course root (used by `nbgrader ...` and JupyterLab's nbgrader extension).

The settings themselves live in autograder.course_dir.nbgrader_config so the grader and nbgrader agree.
"""

from pathlib import Path

from autograder.course_dir import nbgrader_config

_root = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 - provided by nbgrader's config loader
c.merge(nbgrader_config(_root, f"sqlite:///{_root / 'gradebook.db'}"))
