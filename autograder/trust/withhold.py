"""Stage between trim and protect: the grading form of the instructor's cells, with the expected side left out.

The student's interpreter is theirs (an AST transformer, an event callback, frame inspection, a patched module),
so no value a test compares against may exist in their process while it is graded (DESIGN.md section 3). Here
every test cell and every locked setup cell (the helpers the tests call) is rewritten before it runs:

- the expected argument of ``check_close`` / ``check_equal`` (third, or ``expected=``), the bounds of
  ``check_within`` (third and fourth, or ``low=`` / ``high=``) and the reference of every ``compare_*`` helper
  (third, or ``ref=``) become ``__withheld__``, unevaluated;
- every ``expected(...)`` expression (course.checks: the author's mark on a computation of the expected side
  outside a check call) becomes ``__withheld__``, unevaluated;
- every function or class a hidden test cell defines that no instructor cell's grading form uses any more (a
  reference implementation the expected side called) is left out (``without_hidden_reference_defs``).

``__withheld__`` is ``course.checks.WITHHELD`` (bound by protect.py's prologue): a check given it records only
what the student's code returned, and any other use of it raises, so a test that still needs the expected side
fails in ``validate`` rather than computing it here. Points are then decided outside the kernel (verify.py) from
those records and the reference run's (the full form, in a sandbox with no student code). A check whose expected
value is computed from the student's own output (``depends_on_answer=True``) keeps its expected argument: it
holds no reference value and is re-checked outside on its recorded data.

``newly_unused`` is validate's static half of the proof: a name the full form reads but the grading form no
longer reads was computed only for the expected side, and must be marked ``expected(...)`` so it is left out too.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from autograder.core import cell_code
from autograder.core.course_dir import CourseDir
from autograder.core.markup import grade_id, hidden_test_lines, is_autograded_test, item_of, strip_markers
from autograder.core.submission import Submission
from autograder.trust.protect import bound_names, is_locked_setup

WITHHELD_NAME = "__withheld__"
MARK = "expected"
# check function -> the (position, keyword) of each argument that is the expected side
EXPECTED_ARGS: dict[str, tuple[tuple[int, str], ...]] = {
    "check_close": ((2, "expected"),),
    "check_equal": ((2, "expected"),),
    "check_within": ((2, "low"), (3, "high")),
}
HELPER_PREFIX, HELPER_ARG = "compare_", (2, "ref")


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):  # checks.check_close(...)
        return func.attr
    return None


def _depends_on_answer(call: ast.Call) -> bool:
    return any(
        k.arg == "depends_on_answer" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
        for k in call.keywords
    )


def _expected_slots(call: ast.Call) -> tuple[tuple[int, str], ...]:
    name = _name(call.func)
    if name is None:
        return ()
    if name in EXPECTED_ARGS:
        return () if _depends_on_answer(call) else EXPECTED_ARGS[name]
    if name.startswith(HELPER_PREFIX):
        return (HELPER_ARG,)
    return ()


def _withheld() -> ast.Name:
    return ast.Name(id=WITHHELD_NAME, ctx=ast.Load())


class _Withhold(ast.NodeTransformer):
    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == WITHHELD_NAME:
            # ``a, b = expected(...)``: each name stands for its withheld part (unpacking it would raise)
            names = [n for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            if all(isinstance(t, (ast.Name, ast.Tuple, ast.List, ast.Starred)) for t in node.targets):
                node.targets = [ast.Name(id=n.id, ctx=ast.Store()) for n in names]
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if _name(node.func) == MARK and isinstance(node.func, ast.Name):
            return ast.copy_location(_withheld(), node)
        self.generic_visit(node)
        for position, keyword in _expected_slots(node):
            if position < len(node.args) and not any(isinstance(a, ast.Starred) for a in node.args[: position + 1]):
                node.args[position] = ast.copy_location(_withheld(), node.args[position])
            for k in node.keywords:
                if k.arg == keyword:
                    k.value = ast.copy_location(_withheld(), k.value)
        return node


@functools.lru_cache(maxsize=4096)  # the instructor's cells are the same in every submission of a batch
def grading_form(source: str) -> str:
    """``source`` with its expected side replaced by ``__withheld__`` (unchanged when it does not parse: a
    broken instructor cell fails as it is)."""
    code = cell_code.python_source(source)
    if code is None:
        return source
    try:
        tree = ast.parse(code)  # its own tree: _Withhold changes it
    except (SyntaxError, ValueError):
        return source
    return ast.unparse(ast.fix_missing_locations(_Withhold().visit(tree)))


def instructor_cells(nb: NotebookNode) -> Iterable[NotebookNode]:
    """The cells the grader rewrites: test cells and locked setup cells (helpers), never a student's."""
    return (c for c in nb.cells if is_autograded_test(c) or is_locked_setup(c))


CELL_MARK = "__grader_cell__"  # kernel_guard.py: this cell (and the names it binds) is the instructor's
ITEM_MARK = "__grader_item__"  # kernel_guard.py watches the item's forbidden functions while this cell runs
END_MARK = "__grader_end__"  # kernel_guard.py writes its last record when this cell is compiled
WATCH_MARK = "__grader_watch__"  # kernel_guard.py rewrites these library functions once their module is imported
MARK_PREFIX = "__grader_"  # renamed in a student's cells: only the grader's cells may speak to the kernel guard


def item_line(item: str, forbidden: list[str]) -> str:
    return f"{ITEM_MARK} = {' '.join([item, *forbidden])!r}  # grader: the kernel guard watches these"


def _dotted(name: str) -> bool:
    return name.replace(".", "").replace("_", "").isalnum()


def forbidden_by_item(forbidden: dict[str, list[str]]) -> dict[str, list[str]]:
    """``{item: dotted names}`` from ``{solution grade_id: dotted names}`` (solution cells are ``<item>_impl``)."""
    return {gid.removesuffix("_impl"): names for gid, names in forbidden.items()}


UNGUARDED = "from course.checks import WITHHELD as __withheld__  # grader: no kernel guard to bind it (benchmark)"


def withhold_expected(
    sub: Submission, forbidden: dict[str, list[str]] | None = None, guarded: bool = True
) -> Submission:
    """The grading form of the instructor's cells; each test cell starts by naming its item and the functions the
    item forbids (``forbidden``: ``{item: dotted names}``) for the kernel guard, which binds ``__withheld__``
    (and puts back the locked cells' names) before the cell runs. ``guarded=False`` only where the kernel runs
    without the guard (scripts/benchmark.py --guard-cost): a line binds ``__withheld__`` instead."""
    if not sub.ok or sub.nb is None:
        return sub
    ours = {id(c) for c in instructor_cells(sub.nb)}
    every = sorted({n for names in (forbidden or {}).values() for n in names if _dotted(n)})
    watch_line = f"{WATCH_MARK} = {' '.join(every)!r}  # grader: the kernel guard rewrites these\n" if every else ""
    for cell in sub.nb.cells:
        if cell.cell_type == "code" and id(cell) not in ours and MARK_PREFIX in cell.source:
            cell.source = cell.source.replace(MARK_PREFIX, "__graded_")
    mine = list(instructor_cells(sub.nb))
    forms = without_hidden_reference_defs(mine, [grading_form(c.source) for c in mine])
    for cell, form in zip(mine, forms, strict=True):
        names = " ".join(sorted(bound_names(cell.source)))
        cell.source = form
        if cell.source.startswith("%%"):  # a cell magic must stay first (its cell is then not watched)
            continue
        if is_locked_setup(cell):  # the guard tells the harness's own library calls from the student's
            cell.source = f"{CELL_MARK} = {f'locked {names}'!r}  # grader: an instructor's cell\n{cell.source}"
            cell.source = watch_line + cell.source
        if is_autograded_test(cell):
            item = item_of(grade_id(cell) or "")
            names = [n for n in (forbidden or {}).get(item, []) if _dotted(n)]
            prologue = "" if guarded else f"{UNGUARDED}\n"
            cell.source = f"{watch_line}{item_line(item, names)}\n{prologue}{cell.source}"
    return sub


def _defs(tree: ast.Module) -> list[ast.stmt]:
    return [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def without_hidden_reference_defs(cells: list[NotebookNode], forms: list[str]) -> list[str]:
    """``forms`` (the grading forms of the instructor's ``cells``) without the functions and classes a hidden test
    cell defines that no instructor cell's grading form uses any more: they computed the expected side only. Left
    in, they would stay callable in the student's process: by a later solution cell, or by the student's own
    function when the test calls it (a reference implementation under a name a leaked hidden test gives away).
    Repeated until nothing more goes (a helper only such a function called goes with it). A student's cells do
    not count as uses: they cannot have seen a hidden test."""
    trees = [cell_code.parse(f) if hidden_test_lines(c) else None for c, f in zip(cells, forms, strict=True)]
    trees = [ast.parse(ast.unparse(t)) if t is not None else None for t in trees]  # own copies: changed below
    others = [cell_code.parse(f) for c, f in zip(cells, forms, strict=True) if not hidden_test_lines(c)]
    while True:
        used = set().union(*(_global_loads(t) for t in [*others, *trees] if t is not None))
        dropped = False
        for tree in filter(None, trees):
            unused = [d for d in _defs(tree) if d.name not in used]
            tree.body = [n for n in tree.body if n not in unused]
            dropped |= bool(unused)
        if not dropped:
            return [ast.unparse(t) if t is not None else f for t, f in zip(trees, forms, strict=True)]


def mark_end(sub: Submission) -> Submission:
    """The notebook's last cell, the grader's: the kernel guard's ``end`` record says nothing was removed before."""
    if sub.ok and sub.nb is not None:
        sub.nb.cells.append(new_code_cell(f"{END_MARK} = True  # grader: the last cell (kernel_guard.py)"))
    return sub


# --------------------------------------------------------------------------- validate's static check


def _loads(nodes: Iterable[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _scopes(tree: ast.AST, where: str) -> list[tuple[str, list[ast.stmt]]]:
    """(where, body) of the cell and of every function in it."""
    scopes = [(where, list(getattr(tree, "body", [])))]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scopes.append((f"{where}, {node.name}()", node.body))
    return scopes


def _is_withheld(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == WITHHELD_NAME


def _stored(body: list[ast.stmt]) -> set[str]:
    """Names assigned by the statements of one scope (not inside nested functions; not ``x = __withheld__``,
    which is an ``expected(...)`` already left out; not a loop's variables, whose iterable is judged instead)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Assign) and _is_withheld(node.value):
            continue
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):  # a loop's own variables are not
            stack.extend(n for n in ast.iter_child_nodes(node) if n is not node.target)  # values: its iterable is
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    a = fn.args
    return {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, [a.vararg, a.kwarg])]}


def _global_loads(tree: ast.AST) -> set[str]:
    """Names a cell reads from the notebook's globals: at top level, and inside functions and lambdas the names
    they neither take as parameters nor assign."""
    loads: set[str] = set()

    def walk(node: ast.AST, local: set[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            body = node.body if isinstance(node.body, list) else [node.body]
            inner = local | _params(node) | _stored(body)
            for child in body:
                walk(child, inner)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            loads.add(node.id)
        for child in ast.iter_child_nodes(node):
            walk(child, local)

    walk(tree, set())
    return loads


def newly_unused(cells: dict[str, str], students: Iterable[str] = ()) -> list[str]:
    """``"<cell>[, <function>()]: name"`` for every name the full form of the instructor's cells reads and the
    grading form no longer reads: it was computed only for the expected side and would still be computed in
    the student's process. ``cells`` maps a cell's name to its full source; ``students`` are the other code
    cells (solutions), whose reads count in both forms (a helper a solution calls is not the expected side)."""
    full = {name: cell_code.parse(src) for name, src in cells.items()}
    graded = {name: cell_code.parse(grading_form(src)) for name, src in cells.items()}
    problems = []
    theirs = set().union(*(_global_loads(t) for t in map(cell_code.parse, students) if t is not None))
    everywhere_full = theirs.union(*(_global_loads(t) for t in full.values() if t is not None))
    everywhere_graded = theirs.union(*(_global_loads(t) for t in graded.values() if t is not None))
    for name, tree in full.items():
        tree_graded = graded[name]
        if tree is None or tree_graded is None:
            continue
        for (where, body), (_, body_graded) in zip(_scopes(tree, name), _scopes(tree_graded, name), strict=True):
            if where != name:
                read_full, read_graded = _loads(body), _loads(body_graded)
            else:  # a name the cell reads itself is judged there; one it only sets may be read by later cells
                read_full, read_graded = _global_loads(tree), _global_loads(tree_graded)
                only_set = _stored(body_graded) - read_full
                read_full |= everywhere_full & only_set
                read_graded |= everywhere_graded & only_set
            for stored in sorted(_stored(body_graded)):
                if stored in read_full and stored not in read_graded:
                    problems.append(f"{where}: {stored}")
    return problems


def expected_side_left(course: CourseDir, assignment: str) -> list[str]:
    """``newly_unused`` over the instructor's cells of every notebook of ``assignment`` (hidden tests in)."""
    problems = []
    for path in course.source_notebooks(assignment):
        nb = nbformat.read(path, as_version=4)
        mine = list(instructor_cells(nb))
        cells = {(grade_id(c) or c.get("id") or "cell"): strip_markers(c.source) for c in mine}
        others = [strip_markers(c.source) for c in nb.cells if c.cell_type == "code" and c not in mine]
        problems += newly_unused(cells, others)
    return problems
