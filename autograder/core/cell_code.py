"""A code cell's source as Python: IPython's input transforms applied (magics, ``!cmd``, ``x?``), then parsed.

One place for it, cached by source: the locked and test cells are the same in every submission of a batch, and
tokenizing them for IPython's transforms is most of what flagging, withholding and protecting cost (about 3 ms a
cell). The cached trees are shared: callers that change a tree parse ``python_source`` themselves.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable

from IPython.core.inputtransformer2 import TransformerManager

_TRANSFORM = TransformerManager()


@functools.lru_cache(maxsize=4096)
def python_source(source: str) -> str | None:
    """``source`` as the kernel would compile it, or None where IPython's transforms reject it."""
    try:
        return _TRANSFORM.transform_cell(source)
    except (SyntaxError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def parse(source: str) -> ast.Module | None:
    """The cell's syntax tree (not to be changed: it is shared), or None when it does not parse."""
    code = python_source(source)
    if code is None:
        return None
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def imported_modules(sources: Iterable[str]) -> list[str]:
    """The absolute modules that ``import`` statements in these cells name, in order of first appearance:
    ``import a.b`` gives ``a.b``, ``from a import b`` gives ``a`` (``b`` may be a name, not a module)."""
    found: dict[str, None] = {}
    for source in sources:
        tree = parse(source)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Import):
                found.update((alias.name, None) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found[node.module] = None
    return list(found)
