"""Stage between restore and execute: a student's cell cannot replace what the test cells call.

Student code and tests share one kernel, so one line in a solution cell (``check_close = lambda *a, **k: None``)
would otherwise pass every test after it. Here each locked setup cell (imports, helpers, data: restored from the
gradebook) ends by recording the objects it bound, and each test cell starts by binding those names again and
by reloading ``course.checks`` from its (read-only) file, rebinding the check functions to the fresh ones. So
redefining a check or a helper, patching ``course.checks`` or its internals (``_finish``, ``compare``) or a
check's ``__code__``, changes nothing. This stage is not the defence against deliberate sabotage of the kernel
itself (patching torch, json or IPython, deleting the record): the outside re-check (verify.py) and the static
flags (flags.py) are.

The record lives in the kernel's globals under ``RECORD``; the lines added are marked ``# grader:`` in the
autograded notebook. The kernel guard (kernel_guard.py) keeps them honest: a cell other than a locked one that
changes the record, a global that shadows a builtin these lines call (``globals``, ``getattr``, ``__import__``),
or ``course.checks`` / ``importlib`` swapped in ``sys.modules`` is tampering.
"""

from __future__ import annotations

import ast

from nbformat import NotebookNode

from autograder import cell_code
from autograder.markup import is_autograded_test, is_solution, nbgrader_meta
from autograder.submission import Submission

RECORD = "__grader_locked_names__"
REBIND = (
    f"globals().update(globals().get({RECORD!r}, {{}}))  # grader: the names locked cells bound\n"
    "__grader_checks__ = __import__('importlib').reload(__import__('sys').modules['course.checks'])  # grader\n"
    "globals().update({k: getattr(__grader_checks__, k) for k in __grader_checks__.__all__ if k in globals()})"
    "  # grader: the checks as the course wrote them\n"
    "__withheld__ = __grader_checks__.WITHHELD  # grader: the expected side is left out (withhold.py)"
)


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


def record_line(names: set[str]) -> str:
    return (
        f"globals().setdefault({RECORD!r}, {{}}).update("
        f"(k, globals()[k]) for k in {sorted(names)!r} if k in globals())  # grader: remember what this cell bound"
    )


def protect_locked_names(sub: Submission) -> Submission:
    if not sub.ok or sub.nb is None:
        return sub
    for cell in sub.nb.cells:
        if is_locked_setup(cell) and not cell.source.startswith("%%"):  # a cell magic's body is not Python
            names = bound_names(cell.source)
            if names:
                cell.source = f"{cell.source}\n{record_line(names)}"
        elif is_autograded_test(cell) and not cell.source.startswith("%%"):  # a cell magic must stay first
            cell.source = f"{REBIND}\n{cell.source}"
    return sub
