"""The instructor side of the lab: release, validate, grade, report and demo.

Restore and scoring are nbgrader's; execution is papermill's. Each stage of one submission's way through the
grader is a module of its own (see ARCHITECTURE.md); ``pipeline`` runs them over a batch.
"""

import os
import sys

__version__ = "0.1.0"

# nbgrader runs the `alembic` executable when it creates a gradebook, and kernels are found through PATH too:
# make the tools installed beside this Python findable even when the venv is not activated.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
