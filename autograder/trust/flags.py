"""Static flags: what the student's own code does that an instructor should look at. Flags inform; they never
change points by themselves (the outside re-check, verify.py, decides those).

Two kinds, found in the AST of every cell the student wrote (solution cells and cells they added; locked cells
come from the gradebook and are the course's):
- a call or reference to the library function an item asks them to implement. Each solution cell of the source
  notebook lists those in its metadata, ``"autograder": {"forbidden": ["torch.optim.Adam", ...]}``; a prefix
  (``torch.nn.init``) covers everything under it. Names are resolved through the notebook's imports, so
  ``from torch import optim as o; o.Adam`` is ``torch.optim.Adam``;
- a dynamic escape: ``exec``/``eval``/``compile``/``__import__``, ``importlib``, ``ctypes``, ``subprocess``,
  ``os.system`` & co, ``get_ipython`` (IPython magics and ``!`` shell lines become ``get_ipython()`` calls), and
  the hooks that change how later cells run (``sys.settrace``, ``sys.modules``, ``builtins``, ``gc``, a
  function's ``__code__`` or ``__globals__``);
- a monkeypatch: assigning to (or ``setattr`` on, or ``del`` of) an attribute of something imported
  (``json.dumps = ...``, ``torch.allclose = ...``, ``course.checks._finish = ...``): the one way left to forge
  what the checks record, since the kernel guard puts the checks back before each test cell (protect.py).
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterable

import nbformat
from nbformat import NotebookNode

from autograder.core import cell_code
from autograder.core.course_dir import CourseDir
from autograder.core.markup import grade_id, is_solution, nbgrader_meta
from autograder.core.submission import Submission

ESCAPES = {
    "exec": "runs code built at run time",
    "eval": "runs code built at run time",
    "compile": "builds code at run time",
    "__import__": "imports by name at run time",
    "get_ipython": "drives the notebook kernel itself (magics and ! shell lines included)",
    "importlib": "imports by name at run time",
    "ctypes": "calls C code directly",
    "subprocess": "starts other programs",
    "os.system": "starts other programs",
    "os.popen": "starts other programs",
    "os.exec": "replaces the kernel with another program",
    "os.spawn": "starts other programs",
    "os.fork": "forks the kernel",
    "os.kill": "signals processes",
    "os._exit": "ends the kernel",
    "signal": "changes how the kernel handles signals",
    "sys.settrace": "hooks every line that runs",
    "sys.setprofile": "hooks every call",
    "sys.modules": "replaces loaded modules",
    "builtins": "replaces built-in functions",
    "gc": "reaches objects through the garbage collector",
    "threading": "runs code in the background, beside the test cells",
}
DUNDERS = {"__code__", "__globals__", "__builtins__", "__subclasses__", "__closure__"}


def forbidden_calls(course: CourseDir, assignment: str) -> dict[str, list[str]]:
    """``{solution grade_id: [dotted names]}`` from the source notebooks' metadata (the instructor's copy)."""
    found: dict[str, list[str]] = {}
    for path in course.source_notebooks(assignment):
        for cell in nbformat.read(path, as_version=4).cells:
            names = cell.get("metadata", {}).get("autograder", {}).get("forbidden", [])
            if is_solution(cell) and names:
                found[grade_id(cell)] = [str(n) for n in names]
    return found


def _aliases(sources: list[str]) -> dict[str, str]:
    """Local name -> dotted module path, from every import in ``sources`` (``import torch.nn as nn``)."""
    aliases: dict[str, str] = {}
    for source in sources:
        aliases.update(_imports(source))
    return aliases


@functools.lru_cache(maxsize=4096)
def _imports(source: str) -> tuple[tuple[str, str], ...]:
    found = []
    tree = cell_code.parse(source)
    for node in ast.walk(tree) if tree else []:
        if isinstance(node, ast.Import):
            for a in node.names:
                found.append((a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0]))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                found.append((a.asname or a.name, f"{node.module}.{a.name}"))
    return tuple(found)


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([aliases.get(node.id, node.id), *reversed(parts)])


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _names_used(tree: ast.Module, aliases: dict[str, str]) -> list[str]:
    """Every dotted name the code reads (``torch.optim.Adam``), every module it imports, every dunder touched.

    A name spelled like a standard module but never imported (a parameter ``signal``, a variable ``gc``) is the
    code's own variable, not the module: a module is only reachable by importing it (and the ways to import by
    name at run time are flagged themselves)."""
    used = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)) and isinstance(getattr(node, "ctx", None), ast.Load):
            root = _root(node)
            if root in sys.stdlib_module_names and root not in aliases:
                continue
            name = _dotted(node, aliases)
            if name:
                used.append(name)
            if isinstance(node, ast.Attribute) and node.attr in DUNDERS:
                used.append(node.attr)
        elif isinstance(node, ast.Import):
            used += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            used += [f"{node.module}.{a.name}" for a in node.names]
    return used


def _patched(tree: ast.Module, aliases: dict[str, str]) -> list[str]:
    """Dotted names of imported things the code assigns, deletes or setattr()s."""
    targets: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets += node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets.append(node.target)
        elif isinstance(node, ast.Delete):
            targets += node.targets
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            if node.args:
                attr = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else "?"
                targets.append(ast.Attribute(value=node.args[0], attr=str(attr), ctx=ast.Store()))
    patched = []
    for target in targets:
        for elt in target.elts if isinstance(target, ast.Tuple | ast.List) else [target]:
            root = elt
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(elt, ast.Attribute) and isinstance(root, ast.Name) and root.id in aliases:
                patched.append(_dotted(elt, aliases) or "?")
    return patched


class _Prefixes:
    """Dotted names, each covering itself, what is inside it (``os`` covers ``os.system``) and, for a name ending
    in exec or spawn, its family (``os.execv``, ``os.spawnlp``). Looked up by the name's own prefixes: a cell reads
    hundreds of names, and comparing each with every entry was most of what flagging cost."""

    def __init__(self, names: Iterable[str]) -> None:
        self.order = {n: k for k, n in enumerate(dict.fromkeys(names))}
        self.families = [n for n in self.order if n.endswith(("exec", "spawn"))]

    def covering(self, name: str) -> list[str]:
        parts = name.split(".")
        found = {".".join(parts[:k]) for k in range(1, len(parts) + 1)} & self.order.keys()
        found.update(n for n in self.families if name.startswith(n))
        return sorted(found, key=self.order.__getitem__)


_ESCAPES = _Prefixes(ESCAPES)


@functools.lru_cache(maxsize=256)
def _forbidden(names: tuple[str, ...]) -> _Prefixes:
    return _Prefixes(names)


def cell_flags(source: str, aliases: dict[str, str], forbidden: list[str]) -> list[str]:
    """What one cell of the student's does that is flagged; ``aliases`` from the notebook's other cells."""
    tree = cell_code.parse(source)
    if tree is None:
        return []
    aliases = {**aliases, **_aliases([source])}
    banned = _forbidden(tuple(forbidden))
    found: list[str] = []
    for name in _names_used(tree, aliases):
        if banned.covering(name):
            found.append(f"uses {name}, the library version of what this item asks you to write")
        found += [f"uses {name}: {ESCAPES[escape]}" for escape in _ESCAPES.covering(name)]
        if name in DUNDERS:
            found.append(f"touches {name}: reaches into a function's internals")
    for name in _patched(tree, aliases):
        found.append(f"replaces {name} (monkeypatching a library or the checks)")
    return list(dict.fromkeys(found))


def _student_cells(nb: NotebookNode) -> list[tuple[str, NotebookNode]]:
    cells = []
    for n, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if is_solution(cell) or not meta:
            cells.append((grade_id(cell) or f"cell {n} (added)", cell))
    return cells


def flag(sub: Submission, forbidden: dict[str, list[str]]) -> Submission:
    """Fill ``sub.flags`` from the restored notebook (run before withhold adds the grader's own lines)."""
    if sub.nb is None:
        return sub
    aliases = _aliases([c.source for c in sub.nb.cells if c.cell_type == "code"])
    for where, cell in _student_cells(sub.nb):
        sub.flags += [f"{where}: {f}" for f in cell_flags(cell.source, aliases, forbidden.get(where, []))]
    return sub
