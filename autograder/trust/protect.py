"""What the instructor's locked cells bind, so that a student's cell cannot replace what the test cells call.

Student code and tests share one kernel, so one line in a solution cell (``check_close = lambda *a, **k: None``)
would otherwise pass every test after it. The grading form marks each locked setup cell (imports, helpers, data:
restored from the gradebook) with the names it binds (withhold.py's ``__grader_cell__ = "locked NAMES"`` line);
the kernel guard (kernel_guard.py) keeps those objects, right after the cell ran and out of the namespace's
reach, and before each test cell puts them back together with the checks as the course wrote them (the file
compiled when the kernel started). So redefining a check or a helper, patching ``course.checks`` or its
internals (``_finish``, ``compare``) or a check's ``__code__``, changes nothing, and nothing of this runs in the
student's namespace, where a shadowed ``getattr`` or a record edited by a cell could turn it (the old prologue
here did). Deliberate sabotage of the kernel itself (IPython's machinery, tracers, swapped modules) is the
guard's to make evident; the points are decided outside the kernel (verify.py).
"""

from __future__ import annotations

import ast

from nbformat import NotebookNode

from autograder.core import cell_code
from autograder.core.markup import is_autograded_test, is_solution, nbgrader_meta


def _bound_names(statements: list[ast.stmt]) -> set[str]:
    """Names a cell binds at top level (also inside top-level if/for/with/try, not inside functions)."""
    names: set[str] = set()
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
            continue
        for target in _targets(node):
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
        for field in ("body", "orelse", "finalbody"):
            names |= _bound_names(getattr(node, field, []))
        for handler in getattr(node, "handlers", []):
            names |= _bound_names(handler.body)
    return names


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    return []


def bound_names(source: str) -> set[str]:
    """Top-level names bound by a cell's source (IPython magics allowed); empty if it does not parse."""
    tree = cell_code.parse(source)
    return set() if tree is None else _bound_names(tree.body)


def is_locked_setup(cell: NotebookNode) -> bool:
    """Instructor code that is neither a test nor the parameters (papermill overrides those after it runs)."""
    return (
        cell.cell_type == "code"
        and bool(nbgrader_meta(cell).get("locked"))
        and not is_solution(cell)
        and not is_autograded_test(cell)
        and "parameters" not in cell.get("metadata", {}).get("tags", [])
    )
