"""The grading kernel's own program: a PEP 578 audit hook, installed before any student code, then ipykernel.

Started as ``python -c <this file's text> -f CONNECTION_FILE`` in place of ``python -m ipykernel_launcher``
(engine.py), by bubblewrap or the fork server; the autograder package is not visible in the sandbox, so this file
uses the standard library only, and it must not change what an honest notebook computes.

Why: the expected side of the checks no longer runs in the kernel (withhold.py), but a submission could still
change how the grader's cells are compiled or run (an IPython input or AST transformer rewriting a test, an event
callback, a custom exception handler or ``showtraceback`` hiding a failure, a replaced builtin, a tracer), or
answer an item with the library function it asks students to write. An audit hook cannot be removed once added.

What it does, in the order things happen:
- at start: a seccomp filter no later code can remove (_confine: the keyrings, ptrace, new namespaces, ...);
  reads this kernel's key (a file the grader wrote into the kernel's io directory, deleted at once),
  opens the check log for appending (a descriptor of its own: replacing the file later does not redirect it),
  reads and compiles ``course/checks.py`` (_course_checks);
- at the first compile of a notebook cell (before any student code ran): snapshots IPython's machinery (input,
  line and AST transformers, event callbacks, custom exception handlers, the shell's run/transform/traceback
  methods, the cell compiler), ``sys.displayhook`` / ``excepthook``, the import system's finders and the builtins;
- at every later cell compile: compares them with the snapshot and checks that the namespace's builtins and the
  modules the checks are made of are still the same objects; keeps, out of the namespace's reach, the objects
  the locked cell just run bound (its ``__grader_cell__ = "locked NAMES"`` line, withhold.py); writes a signed
  ``seal`` record; rewrites the library functions the notebook forbids (``__grader_watch__``, from its
  ``autograder.forbidden`` metadata) whose modules are imported by now, each with
  ``sys.audit("autograder.forbidden")`` as its first call (rewrite_file); and, when the cell is a test cell (the
  grading form starts with ``__grader_item__ = "ITEM NAME..."``), first puts back in the namespace what the
  locked cells bound and the checks as the course wrote them, ``__withheld__`` included (put_back: nothing
  looked up in the student's namespace or import system), then watches the item's forbidden functions until
  the next cell (a C function, or a module imported during the test, with a profile function); a call the
  student's code led to is written as a signed ``forbidden`` record the moment it happens.
  Only cells the kernel compiles itself carry markers: one compiled from inside another cell is the student's;
- at the first difference, at a tracer installed (``sys.settrace``, or ``sys.setprofile`` by anyone but this
  guard and thread start-up), at the garbage collector's object lists (the way to this hook's key): it writes a
  signed ``tamper`` record and ends the process at once (``os._exit``): no student code runs after it;
- at the grader's last cell (``__grader_end__``): a signed ``end`` record.

Every record carries a sequence number and an HMAC of it under the key; the grader (engine.GuardLedger) refuses a
forged record, a gap in the sequence (a record removed from the log) and a finished notebook without its ``end``.

What it does not stop (ARCHITECTURE.md, "Trust boundary"): code that rewrites the interpreter's memory (ctypes,
raw pointers through numpy), a change made and undone between two compiles, a thread that runs without the
profile function (C functions only), and a library's code copied (its source compiled under another name, or its
code kept by a cell that imported the module itself, before the next compile rewrote it).
"""

import ast
import builtins
import dis
import os
import re
import sys
from functools import partial
from opcode import opmap
from types import CodeType, FrameType, FunctionType, MethodType

# the hook's functions see a private copy of the builtins (a function keeps the builtins of the globals it was
# made in): a student who replaces ``builtins.id`` or ``isinstance`` changes nothing the hook computes with
__builtins__ = dict(vars(builtins))


def _course_checks() -> tuple:
    """``course/checks.py`` where the import system finds it (a path entry or an editable install's finder; the
    ``course`` package itself is not imported), compiled, and the modules it imports; read when the kernel
    starts, before any cell."""
    from importlib.util import find_spec

    try:
        spec = find_spec("course")
    except (ImportError, ValueError):
        spec = None
    for package in list(getattr(spec, "submodule_search_locations", None) or []):
        path = os.path.join(package, "checks.py")
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                source = fh.read()
            tree = ast.parse(source, path)
            imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            imports |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
            imports.discard("__future__")
            return path, compile(tree, path, "exec", dont_inherit=True), ("course.checks", *sorted(imports))
    return "", None, ("course.checks",)


def _install(checks: tuple) -> None:  # noqa: C901 - one closure: nothing of it is reachable from the student's namespace
    from _hashlib import hmac_digest

    write, leave, audit, getframe = os.write, os._exit, sys.audit, sys._getframe
    gettrace, getprofile, setprofile = sys.gettrace, sys.getprofile, sys.setprofile
    cell_file = re.compile(r"/ipykernel_\d+/\d+\.py$|^<ipython-input-")
    item_marker = re.compile(r"""__grader_item__ = ['"]([^'"]*)['"]""")
    locked_marker = re.compile(r"""__grader_cell__ = ['"]([^'"]*)['"]""")
    watch_marker = re.compile(r"""__grader_watch__ = ['"]([^'"]*)['"]""")
    end_marker = "__grader_end__"
    checks_file, checks_code, checks_imports = checks  # _course_checks: read and compiled before any student code
    kernel_managed = ("input", "raw_input")  # ipykernel rebinds these for every execution (stdin forwarding)
    shell_methods = (
        "run_cell", "run_cell_async", "_run_cell", "run_ast_nodes", "run_code", "transform_cell", "transform_ast",
        "showtraceback", "_showtraceback", "showsyntaxerror", "should_run_async", "ex", "ev",
    )  # fmt: skip
    key = b""
    key_path = os.environ.pop("AUTOGRADER_GUARD_KEY", "")
    if key_path:
        try:
            with open(key_path, "rb") as fh:
                key = fh.read()
            os.unlink(key_path)
        except OSError:
            pass
    try:  # opened before any student code: replacing the file later does not redirect this descriptor
        fd = os.open(os.environ.get("COURSE_CHECK_LOG", ""), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK)
    except OSError:
        fd = -1
    state = {"seq": 0, "shell": None, "snapshot": None, "builtins": None, "own": False, "reported": set()}
    state["profiling"], state["watched"], state["library_dirs"], state["pending"] = False, (), (), ()
    state["namespace"], state["ns_builtins"], state["modules"] = None, None, {}
    state["locked"], state["just_locked"] = {}, ()  # what the locked cells bound, out of the namespace's reach
    state["path"] = tuple(p.rstrip("/") for p in sys.path if p.startswith("/"))  # where an unimported name would be
    state["instructor_files"], state["instructor_names"], state["all_names"] = set(), set(), set()
    watch = [None, frozenset(), (), frozenset()]  # item, code objects, file prefixes, C functions
    resolved: dict = {}
    beacon = f"__autograder_watch_{os.urandom(8).hex()}__"  # in rewritten library code, never bound (and dunder:
    # a class body mangles a name with two leading underscores unless it also ends with two)
    compiled: dict = {}  # library file -> {(qualified name, first line): rewritten code}, or None
    patched: set = set()  # every code object with the audit call: a cell that swaps one back is tampering
    thread_start = []

    def emit(event: str) -> None:
        event = "".join(c for c in event if c.isalnum() or c in " ,.:()_-<>")[:300]  # our words: nothing to escape
        n = state["seq"]
        state["seq"] = n + 1
        mac = hmac_digest(key, f"{n}\n{event}".encode(), "sha256").hex()
        try:
            write(fd, f'{{"id": "__guard__", "seq": {n}, "event": "{event}", "mac": "{mac}"}}\n'.encode())
        except Exception:
            pass

    def tamper(what: str) -> None:
        emit(f"tamper {what}")
        leave(86)

    def shell_of() -> object:
        module = sys.modules.get("IPython.core.interactiveshell")
        cls = getattr(module, "InteractiveShell", None) if module is not None else None
        return getattr(cls, "_instance", None) if cls is not None else None

    def ids(items: object) -> tuple:
        return tuple(id(x) for x in items) if isinstance(items, (list, tuple)) else (id(items),)

    def by_student(callback: object) -> bool:
        """Whether a callback's code comes from anywhere but the libraries that register their own (pyplot draws and
        the inline backend flushes figures after each cell): a cell's function, a partial, anything unknown."""
        code = getattr(getattr(callback, "__func__", callback), "__code__", None)
        return code is None or not code.co_filename.startswith(state["library_dirs"])

    def callbacks(events: dict) -> tuple:
        return tuple((k, ids([c for c in v if by_student(c)])) for k, v in sorted(events.items()))

    def snapshot(shell: object) -> dict:
        manager = getattr(shell, "input_transformer_manager", None)
        events = getattr(getattr(shell, "events", None), "callbacks", {}) or {}
        compiler = getattr(shell, "compile", None)
        return {
            "input transformers": ids(getattr(shell, "input_transformers_post", ())),
            "cleanup transformers": ids(getattr(manager, "cleanup_transforms", ())),
            "line transformers": ids(getattr(manager, "line_transforms", ())),
            "token transformers": ids(getattr(manager, "token_transformers", ())),
            "AST transformers": ids(getattr(shell, "ast_transformers", ())),
            "event callbacks": callbacks(events),
            "custom exception handler": (
                ids(getattr(shell, "custom_exceptions", ())),
                id(getattr(shell, "CustomTB", None)),
            ),
            "shell methods": tuple((m, id(getattr(type(shell), m, None)), m in vars(shell)) for m in shell_methods),
            "cell compiler": (id(compiler), id(type(compiler)), tuple(sorted(vars(compiler))) if compiler else ()),
            "display and exception hooks": (id(sys.displayhook), id(sys.excepthook)),
            "import system": (ids(sys.meta_path), ids(sys.path_hooks)),
            "tracer": (id(gettrace()),),
        }

    def differences(before: dict, now: dict) -> str:
        for key_, value in before.items():
            if key_ == "import system":  # importing a package may append a finder: the original ones stay first
                if now[key_][0][: len(value[0])] != value[0] or now[key_][1][: len(value[1])] != value[1]:
                    return key_
            elif now.get(key_) != value:
                return key_
        now_builtins = vars(builtins)
        changed = [k for k, v in state["builtins"].items() if id(now_builtins.get(k)) != v and k not in kernel_managed]
        return f"builtins replaced ({', '.join(sorted(changed)[:5])})" if changed else ""

    def grader_state_turned() -> str:
        """Why what the grader puts back before each test cell would not be what it says, or "": the namespace's
        builtins swapped, or a module the checks are made of swapped in ``sys.modules`` (each one as first seen
        by this hook, at a compile: the modules already imported when the kernel started were seen before any
        student code)."""
        ns = state["namespace"]
        if ns is None:
            return ""
        if ns.get("__builtins__") is not state["ns_builtins"]:
            return "a cell replaced the namespace's __builtins__"
        for name in checks_imports:
            module = sys.modules.get(name)
            seen = state["modules"].setdefault(name, module) if module is not None else state["modules"].get(name)
            if seen is not None and module is not seen:
                return f"a cell replaced the module {name}"
        return ""

    def keep_locked_names() -> None:
        """Right after a locked cell ran (at the next compile, before any other cell runs): the objects it bound,
        kept here, where no cell can reach them."""
        ns = state["namespace"]
        for name in state["just_locked"]:
            if ns is not None and name in ns:
                state["locked"][name] = ns[name]
        state["just_locked"] = ()

    def put_back() -> None:
        """Before a test cell: the names the locked cells bound, as they bound them, and the checks as the course
        wrote them (their file compiled when the kernel started, run again in the module's own namespace, as
        ``importlib.reload`` would, but with nothing looked up in the student's namespace or import system).
        Replaces protect.py's old prologue, which ran in the student's namespace and could be turned."""
        ns = state["namespace"]
        if ns is None:
            return
        ns.update(state["locked"])
        if checks_code is None:
            return
        module = state["modules"].get("course.checks")
        space = vars(module) if module is not None else {"__name__": "course.checks", "__file__": checks_file}
        state["own"] = True
        try:
            exec(checks_code, space)  # noqa: S102 - the course's own file, compiled before any student code
        finally:
            state["own"] = False
        ns.update({k: space[k] for k in space.get("__all__", ()) if k in ns and k in space})
        ns["__withheld__"] = space.get("WITHHELD")  # withhold.py: the expected side left out

    def rewrite_file(path: str) -> dict | None:
        """The library file's code objects compiled again with one call first in every function body, the call
        ``sys.audit("autograder.forbidden")`` held as a constant: no name in it that a cell could rebind.

        Why not a profile function: it runs on every call and return of the whole test cell (a quarter more time for
        a training loop); this costs nothing until a watched function runs. Keyed by (qualified name, first line);
        None where the file cannot be rewritten (then the profile function watches it)."""
        if path in compiled:
            return compiled[path]
        table = None
        if sys.version_info[:2] not in ((3, 11), (3, 12)):  # 3.13 pushes a call's NULL after the callable
            compiled[path] = None
            return None
        state["own"] = True  # code.replace raises the code.__new__ event with the library's file name
        try:
            with open(path, "rb") as fh:
                tree = ast.parse(fh.read(), path)
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = node.body[0]
                    doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant)
                    at = 1 if doc and isinstance(first.value.value, str) and len(node.body) > 1 else 0
                    call = ast.Expr(ast.Call(ast.Name(beacon, ast.Load()), [ast.Constant("autograder.forbidden")], []))
                    for part in ast.walk(call):  # on the line of the statement it precedes: tracebacks unchanged
                        ast.copy_location(part, node.body[at])
                    node.body.insert(at, call)
            table = {}

            def visit(code: CodeType) -> CodeType:
                consts = tuple(visit(c) if isinstance(c, CodeType) else c for c in code.co_consts)
                new = code.replace(co_consts=consts)
                if beacon in code.co_names:
                    new = with_audit_call(new)
                    patched.add(new)
                key = (new.co_qualname, new.co_firstlineno)
                table[key] = None if key in table else new  # two functions, one key: neither is rewritten
                return new

            visit(compile(tree, path, "exec", dont_inherit=True))
        except Exception:  # noqa: BLE001 - any file we cannot rewrite is watched the slow way instead
            table = None
        finally:
            state["own"] = False
        compiled[path] = table
        return table

    def with_audit_call(code: CodeType) -> CodeType:
        """``LOAD_GLOBAL beacon`` becomes ``PUSH_NULL; LOAD_CONST sys.audit`` padded with NOPs to the same size:
        no jump, exception table or line table moves."""
        consts = (*code.co_consts, audit)
        index = len(consts) - 1
        raw = bytearray(code.co_code)
        ops = list(dis.get_instructions(code))
        for i, op in enumerate(ops[:-1]):
            if op.opname != "LOAD_GLOBAL" or op.argval != beacon:
                continue
            start = ops[i - 1].offset if i and ops[i - 1].opname == "EXTENDED_ARG" else op.offset
            size = ops[i + 1].offset - start  # the instruction with its inline caches
            units = [opmap["PUSH_NULL"], 0] if op.arg & 1 else []
            units += [opmap["EXTENDED_ARG"], index >> 8] if index > 255 else []
            units += [opmap["LOAD_CONST"], index & 0xFF]
            if len(units) > size or index > 0xFFFF:
                raise ValueError("no room")
            raw[start : start + size] = bytes(units + [opmap["NOP"], 0] * ((size - len(units)) // 2))
        new = code.replace(co_code=bytes(raw), co_consts=consts)
        if any(op.opname == "LOAD_GLOBAL" and op.argval == beacon for op in dis.get_instructions(new)):
            raise ValueError("beacon left")  # never put in place code that would fail on an unbound name
        return new

    def rewritten(func: object) -> CodeType | None:
        """Put the rewritten code of one library function in place; that code, or None where it cannot be."""
        code = getattr(func, "__code__", None)
        if type(func) is not FunctionType or type(code) is not CodeType:
            return None
        if code in patched:
            return code
        table = rewrite_file(code.co_filename)
        new = table.get((code.co_qualname, code.co_firstlineno)) if table else None
        shape = ("co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_flags", "co_freevars", "co_cellvars")
        if new not in patched or any(getattr(new, a) != getattr(code, a) for a in shape):
            return None
        state["own"] = True
        try:
            func.__code__ = new
        finally:
            state["own"] = False
        return new

    def functions_in(obj: object, path: str) -> list:
        """The functions defined in one file that calling ``obj`` (a class's attributes, a function) can run:
        through staticmethod, classmethod, property and decorators (``__wrapped__`` and closure cells)."""
        found, todo, seen = [], [obj], set()
        while todo:
            x = todo.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if isinstance(x, (staticmethod, classmethod)):
                todo.append(x.__func__)
            elif isinstance(x, property):
                todo += [f for f in (x.fget, x.fset, x.fdel) if f is not None]
            elif type(x) is FunctionType:
                if x.__code__.co_filename == path:
                    found.append(x)
                for cell in x.__closure__ or ():
                    try:
                        todo.append(cell.cell_contents)
                    except ValueError:  # an empty cell
                        pass
                todo += [vars(x)["__wrapped__"]] if "__wrapped__" in vars(x) else []
        return found

    def resolve(name: str) -> tuple:
        """(code objects, file prefixes, C functions, whether only the profile function can watch them) of one
        dotted name, from what is imported now; a name not imported yet gives the files it would come from."""
        if name in resolved:
            return resolved[name]
        parts = name.split(".")
        obj, module = None, None
        for i in range(len(parts), 0, -1):
            module = sys.modules.get(".".join(parts[:i]))
            if module is not None:
                obj = module
                for part in parts[i:]:
                    obj = getattr(obj, part, None)
                break
        if obj is None:  # imported later, perhaps inside the test: the profile function starts at that import
            paths = tuple(f"{d}/{'/'.join(parts)}" for d in state["path"])
            return (), tuple(p + s for p in paths for s in (".py", "/")), (), "pending"
        codes, files, cfuncs, slow = [], [], [], False

        def watch_all(functions: list) -> None:
            nonlocal slow
            for function in functions:
                new = rewritten(function)
                codes.append(new or function.__code__)
                slow = slow or new is None

        if obj is module:
            path = getattr(module, "__file__", None) or ""
            package = path.endswith("/__init__.py")
            if path:
                files.append(path.rsplit("/", 1)[0] + "/" if package else path)
            for mod_name, mod in list(sys.modules.items()):
                if mod_name != name and not (package and mod_name.startswith(name + ".")):
                    continue
                mod_file = getattr(mod, "__file__", None) or ""
                for value in list(vars(mod).values()):
                    if isinstance(value, type) and getattr(value, "__module__", None) == mod_name:
                        for attr in list(vars(value).values()):
                            watch_all(functions_in(attr, mod_file))
                    elif type(value) is FunctionType:
                        watch_all(functions_in(value, mod_file))
        elif isinstance(obj, type):
            for klass in obj.__mro__:
                if getattr(klass, "__module__", "") in ("builtins", "torch.nn.modules.module", "torch.optim.optimizer"):
                    continue  # the common base classes every student's own class runs too
                path = getattr(sys.modules.get(klass.__module__), "__file__", None) or ""
                for value in list(vars(klass).values()):
                    watch_all(functions_in(value, path))
        elif type(obj) is FunctionType:
            while type(vars(obj).get("__wrapped__")) is FunctionType:  # the function itself, not its decorator's
                obj = vars(obj)["__wrapped__"]
            watch_all([obj])
        elif callable(obj):
            cfuncs.append(obj)
        result = (tuple(codes), tuple(files), tuple(cfuncs), slow or bool(cfuncs))
        if not (files and files[0].endswith("/")):  # a package: its submodules imported later are walked again
            resolved[name] = result
        return result

    def profiler(frame, event, arg, watch=watch, audit=audit):  # noqa: ANN001 - called by the interpreter
        if event == "call":
            code = frame.f_code
            if code not in patched and (code in watch[1] or (watch[2] and code.co_filename.startswith(watch[2]))):
                audit("autograder.forbidden", code.co_qualname, frame)
        elif event == "c_call" and watch[3]:
            try:
                if arg in watch[3]:
                    audit("autograder.forbidden", getattr(arg, "__qualname__", "a C function"), frame)
            except TypeError:  # an unhashable callable
                pass

    def library_class(cls: type) -> bool:
        module = sys.modules.get(getattr(cls, "__module__", None) or "")
        return module is not None and module.__name__ != "__main__" and vars(module).get(cls.__name__) is cls

    def by_the_student(frame) -> bool:  # noqa: ANN001
        """Whether the student's code led to this call: a frame of a cell that is not the instructor's is on the
        stack, or the call is a method of an object (``self``) or a class (``cls``: ``__new__``, a classmethod)
        that neither a library nor an instructor's cell defined (``class MyBN(nn.BatchNorm1d): pass`` handed to
        the test)."""
        while frame is not None:
            code = frame.f_code
            if cell_file.search(code.co_filename) and code.co_filename not in state["instructor_files"]:
                return True
            first = code.co_varnames[0] if code.co_argcount else ""
            if first in ("self", "cls"):
                value = frame.f_locals.get(first)
                cls = value if first == "cls" and isinstance(value, type) else type(value)
                instructor = cls.__module__ == "__main__" and cls.__name__ in state["instructor_names"]
                if not instructor and not library_class(cls) and cls.__module__ == "__main__":
                    return True
            frame = frame.f_back
        return False

    def twin(value: object) -> str:
        """The forbidden library function or class ``value`` is (itself, or as a bound method, a partial, a
        static or class method of one), "" if none. Exact types only: nothing of the student's runs here."""
        for _ in range(8):
            kind = type(value)
            if kind is MethodType or kind is staticmethod or kind is classmethod:
                value = value.__func__
            elif kind is partial:
                value = value.func
            else:
                break
        kind = type(value)
        if kind is FunctionType:
            code = value.__code__
            found = code in watch[1] or bool(watch[2] and code.co_filename.startswith(watch[2]))
            return code.co_qualname if found else ""
        if isinstance(value, type):  # the library's class itself (a student's subclass: by_the_student)
            module, name = (vars(type)[a].__get__(value) for a in ("__module__", "__qualname__"))
            if module == "__main__" or vars(sys.modules.get(module, sys)).get(name) is not value:
                return ""
            for klass in vars(type)["__mro__"].__get__(value):
                if any(type(a) is not type and twin(a) for a in vars(type)["__dict__"].__get__(klass).values()):
                    return f"{module}.{name}"
            return ""
        if kind in {type(c) for c in watch[3]} and value in watch[3]:  # a C function (the same types: safe to hash)
            return getattr(value, "__qualname__", "a C function")
        return ""

    def bound_twins(text: str) -> None:
        """A test cell about to call a name the student bound to the library's own function (``add =
        operator.add``, in any spelling): no frame of the student's would be on the stack when it runs."""
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return
        read = {n.id for n in ast.walk(tree) if type(n) is ast.Name and type(n.ctx) is ast.Load}
        for name in sorted(read - state["instructor_names"]):
            value = state["namespace"].get(name) if state["namespace"] is not None else None
            found = twin(value) if value is not None else ""
            if found and found not in state["reported"]:
                state["reported"].add(found)
                emit(f"forbidden {watch[0]} {found}")

    def set_profile(function) -> None:  # noqa: ANN001
        state["own"] = True
        try:
            setprofile(function)
            threading = sys.modules.get("threading")
            if threading is not None:
                threading.setprofile(function)
        finally:
            state["own"] = False
        state["profiling"] = function is not None

    def watch_item(text: str) -> None:
        found = item_marker.search(text)
        names = found.group(1).split()[1:] if found is not None else []
        codes, files, cfuncs, slow, pending = [], [], [], False, []
        for name in names:
            try:
                c, f, cf, how = resolve(name)
            except Exception:  # noqa: BLE001 - an odd module in sys.modules: the profile function watches by name
                c, f, cf, how = (), (), (), True
            codes += c
            files += f
            cfuncs += cf
            slow = slow or how is True
            pending += [name] if how == "pending" else []
        watch[:] = [found.group(1).split()[0] if found else None, frozenset(codes), tuple(files), frozenset(cfuncs)]
        state["watched"], state["reported"], state["pending"] = tuple(watch), set(), tuple(pending)
        set_profile(profiler if slow else None)
        if names:
            bound_twins(text)

    def library_dirs() -> tuple:
        """Where the libraries that may register IPython event callbacks live, found before any student code."""
        from importlib.util import find_spec

        found = []
        for name in ("matplotlib", "matplotlib_inline", "ipykernel", "IPython"):
            spec = find_spec(name)
            if spec is not None and spec.origin:
                found.append(spec.origin.rsplit("/", 1)[0] + "/")
        return tuple(found)

    def cell_running() -> bool:
        """Whether a cell's code is on the stack: a cell compiled from inside another (``run_cell`` in a cell)
        is the student's whatever its text says; the grader's cells are compiled by the kernel itself."""
        frame = getframe(3)
        while frame is not None:
            if cell_file.search(frame.f_code.co_filename):
                return True
            frame = frame.f_back
        return False

    def on_cell(text: str, filename: str) -> None:
        trusted = not cell_running()  # markers in a student's own cells are renamed by the grader (withhold.py)
        found = locked_marker.search(text) if trusted else None
        if trusted and (found is not None or item_marker.search(text) is not None):
            state["instructor_files"].add(filename)
        if found is not None:
            state["instructor_names"].update(found.group(1).split()[1:])
        names = watch_marker.search(text) if trusted else None
        if names is not None:
            state["all_names"].update(
                n for n in names.group(1).split() if n.replace(".", "").replace("_", "").isalnum()
            )
        on_any_cell(text, trusted)
        if found is not None:  # what it binds is kept at the next compile, once it has run
            state["just_locked"] = tuple(found.group(1).split()[1:])

    def rewrite_all() -> None:
        """Every forbidden function of the notebook rewritten as soon as its module is imported, at the next
        cell: before a student's cell could keep a reference to the code it had before."""
        for name in sorted(state["all_names"]):
            try:
                resolve(name)
            except Exception:  # noqa: BLE001,S112 - watched the slow way at its item's test cell
                continue

    def on_any_cell(text: str, trusted: bool) -> None:
        if state["snapshot"] is None:
            shell = shell_of()
            if shell is None:
                return
            state["shell"] = shell
            state["namespace"] = getattr(shell, "user_ns", None)  # the dict itself, before a cell could swap it
            state["ns_builtins"] = state["namespace"].get("__builtins__") if state["namespace"] is not None else None
            state["modules"] = {n: sys.modules[n] for n in checks_imports if n in sys.modules}
            state["library_dirs"] = library_dirs()
            state["snapshot"] = snapshot(shell)
            state["builtins"] = {k: id(v) for k, v in vars(builtins).items()}
            import threading  # noqa: F401 - before any student code: thread start-up calls setprofile from here

            thread_start.append(sys.modules["threading"].Thread._bootstrap_inner.__code__)
        else:
            why = differences(state["snapshot"], snapshot(state["shell"])) or grader_state_turned()
            if why:
                tamper(f"a cell changed how later cells are compiled or run: {why}")
            keep_locked_names()
            if (
                (state["profiling"] and getprofile() is not profiler)
                or profiler.__defaults__[0] is not watch
                or tuple(watch) != state["watched"]
            ):
                tamper("a cell changed the grader's watch of the forbidden functions")
        emit("end" if trusted and text.lstrip().startswith(end_marker) else "seal")
        if trusted:
            if item_marker.search(text) is not None:
                set_profile(None)  # the previous item's watch ends before the grader's own work
                put_back()
            rewrite_all()
            watch_item(text)

    def hook(event: str, args: tuple) -> None:
        if event == "compile":
            source, filename = (args + (None, None))[:2]
            if type(filename) is not str or type(source) not in (str, bytes) or not cell_file.search(filename):
                return  # one compile of a cell's text per cell (IPython then compiles its AST per statement)
            try:
                on_cell(source.decode("utf-8", "replace") if type(source) is bytes else source, filename)
            except Exception as exc:  # the machinery no longer answers as it did: that is a change too
                tamper(f"the interpreter state could not be read ({type(exc).__name__})")
        elif state["snapshot"] is None:
            return
        elif event == "autograder.forbidden":
            watched = state["watched"]  # the hook's own copy: the profile function's list is within a cell's reach
            if not watched or watched[0] is None:
                return  # a rewritten library function called outside a test cell of its item
            if len(args) > 1 and type(args[1]) is FrameType:  # from the profile function: it already matched
                name, frame = str(args[0]), args[1]
            else:  # from a rewritten library function: its frame is the caller of sys.audit
                frame = getframe(1)
                code = frame.f_code
                if code not in watched[1] and not code.co_filename.startswith(watched[2]):
                    return  # a library function that another item forbids
                name = code.co_qualname
            if not by_the_student(frame):
                return  # the test's own harness (an instructor's cell, a library) may call it on its side
            if name not in state["reported"]:
                state["reported"].add(name)
                emit(f"forbidden {watched[0]} {name}")
        elif event == "import" and not state["own"] and state["pending"] and not state["profiling"]:
            if state["watched"][0] is None:
                return
            module = str(args[0]) if args else ""
            if any(n == module or n.startswith(module + ".") or module.startswith(n + ".") for n in state["pending"]):
                set_profile(profiler)  # a forbidden module imported during its test: watched from now on
        elif event == "exec" and args and type(args[0]) is CodeType and args[0].co_filename in compiled:
            if args[0].co_name == "<module>" and not state["own"]:
                tamper("a cell ran a watched library module again (reload)")
        elif event == "object.__setattr__" and len(args) > 1 and args[1] == "__code__" and not state["own"]:
            if getattr(args[0], "__code__", None) in patched:
                tamper("a cell replaced the code of a library function the grader watches")
        elif event == "sys.settrace":
            tamper("a cell installed a tracer (sys.settrace)")
        elif event == "sys.setprofile" and not state["own"]:
            caller = getframe(1).f_code
            if caller not in thread_start:  # a new thread takes threading's profile function: ours
                tamper("a cell replaced the profile function (sys.setprofile)")
        elif event == "code.__new__" and len(args) > 1 and not state["own"]:
            if str(args[1]).startswith(state["library_dirs"]) or args[1] in compiled:
                tamper("a cell made code that claims to be a library's (code.__new__)")
        elif event in ("gc.get_objects", "gc.get_referrers", "gc.get_referents"):
            tamper(f"a cell searched the interpreter's objects ({event})")

    sys.addaudithook(hook)


def _confine() -> None:
    """A seccomp filter on this kernel and everything it starts, before any student code: the system calls by
    which one kernel could leave something for the next one on the same worker, or watch it, fail with EPERM
    (the keyrings: add_key, request_key, keyctl; ptrace, process_vm_readv/writev, perf_event_open, bpf,
    userfaultfd; new namespaces: unshare, setns, clone with a CLONE_NEW* flag; mount, umount2, pivot_root;
    kexec_load, open_by_handle_at), clone3 with ENOSYS (the C library falls back to clone, whose flags a filter
    can read), any other ABI's calls (32-bit, x32) with EPERM. A filter cannot be removed; the process already
    has no capabilities. Best effort where seccomp is missing: the sandbox's namespaces still stand."""
    import ctypes

    tables = {  # machine: (audit arch, {name: number}), from the kernel's syscall tables
        "x86_64": (0xC000003E, {"ptrace": 101, "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272,
                                "perf_event_open": 298, "setns": 308, "bpf": 321, "userfaultfd": 323,
                                "process_vm_readv": 310, "process_vm_writev": 311, "kexec_load": 246,
                                "open_by_handle_at": 304, "mount": 165, "umount2": 166, "pivot_root": 155,
                                "clone": 56, "clone3": 435}),
        "aarch64": (0xC00000B7, {"ptrace": 117, "add_key": 217, "request_key": 218, "keyctl": 219, "unshare": 97,
                                 "perf_event_open": 241, "setns": 268, "bpf": 280, "userfaultfd": 282,
                                 "process_vm_readv": 270, "process_vm_writev": 271, "kexec_load": 104,
                                 "open_by_handle_at": 265, "mount": 40, "umount2": 39, "pivot_root": 41,
                                 "clone": 220, "clone3": 435}),
    }  # fmt: skip
    machine = os.uname().machine
    if machine not in tables:
        return
    arch, numbers = tables[machine]
    load, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ/JGE/JSET|K, BPF_RET|K
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    new_namespaces = 0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
    program = [(load, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, eperm), (load, 0, 0, 0)]  # seccomp_data.arch, .nr
    if machine == "x86_64":
        program += [(jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]  # the x32 ABI
    for name, number in numbers.items():
        if name != "clone":
            program += [(jeq, 0, 1, number), (ret, 0, 0, enosys if name == "clone3" else eperm)]
    # clone: its flags are the first argument (seccomp_data.args[0], low half at offset 16 on little-endian)
    program += [(jeq, 0, 3, numbers["clone"]), (load, 0, 0, 16), (jset, 0, 1, new_namespaces), (ret, 0, 0, eperm)]
    program += [(ret, 0, 0, allow)]

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(program))(*[Filter(*f) for f in program])
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0)
    fprog = Program(len(program), filters)
    libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0)


_confine()
del _confine
_install(_course_checks())
del _install, _course_checks
import runpy  # noqa: E402  (after the hook: nothing before it runs student code)

sys.argv[0] = "ipykernel_launcher"
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
