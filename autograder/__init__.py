"""The instructor side of the lab: release, validate, grade, report and demo.

Restore and scoring are nbgrader's; execution is papermill's. The subpackages, lowest first (each imports only
those before it; tests/test_layers.py holds it):

- ``core``: the course's folders, sources, markup, gradebook, submission record, errors;
- ``isolation``: where student code runs (sandbox, kernel guard, fork server, engine, executors);
- ``trust``: where trust ends (withhold, protect, inputs, reference run, verify, flags);
- ``written``: written answers (rubrics, manual grades, answer groups);
- ``handout``: what students receive (release, bundle);
- ``stages``: one submission's way through the grader, and ``pipeline`` that runs them over a batch;
- ``reports``: grades, feedback, class page, similarity, release of feedback;
- ``authoring``: the sample class and ``validate``;
- ``jupyter``: JupyterLab for students and instructors;
- ``lms``: an LMS's files in and out;
then ``cli``, which holds the verbs together. ARCHITECTURE.md draws the tree.
"""

import importlib
import importlib.abc
import importlib.util
import os
import sys
import warnings
from pathlib import Path

__version__ = "0.1.0"

# lowest first: a module may import from its own subpackage and those before it, never from one after it
LAYERS = ("core", "isolation", "trust", "written", "handout", "stages", "reports", "authoring", "jupyter", "lms")

# nbgrader runs the `alembic` executable when it creates a gradebook, and kernels are found through PATH too:
# make the tools installed beside this Python findable even when the venv is not activated.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

# jsonschema imports rfc3987_syntax, when it is installed (jupyter-events asks for it), only to check the "iri"
# format of draft 7+ schemas, and it compiles a grammar as it is imported: a second in every grader process, the
# CLI and each worker (nbformat -> jsonschema). nbformat's schemas are draft 4 and nothing the grader validates
# names "iri", so it is not loaded here (jsonschema skips that format). A process that loaded it first keeps it.
sys.modules.setdefault("rfc3987_syntax", None)


def moved_to(name: str) -> str | None:
    """Where a module of the old flat layout (``autograder.pipeline``) lives now (``autograder.stages.pipeline``)."""
    here = Path(__file__).parent
    found = [layer for layer in LAYERS if (here / layer / f"{name}.py").is_file()]
    return f"{__name__}.{found[0]}.{name}" if found else None


class _OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``autograder.<module>`` of the flat layout keeps working (the ``nbgrader_config.py`` of a course made
    before the regrouping imports ``autograder.course_dir``; so may an instructor's script): the same module
    object as its new name, with a DeprecationWarning. A path finder, not 55 stub files: the tree stays the map."""

    def find_spec(self, fullname, path=None, target=None):
        parent, _, name = fullname.rpartition(".")
        if parent != __name__ or not name or moved_to(name) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        new = moved_to(spec.name.rpartition(".")[2])
        warnings.warn(f"{spec.name} is now {new}", DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module):
        pass  # the module under its new name has run already


sys.meta_path.append(_OldNames())
