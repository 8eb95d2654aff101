"""The grading kernel's own program: a PEP 578 audit hook, installed before any student code, then ipykernel.

Started as ``python -c <this file's text> -f CONNECTION_FILE`` in place of ``python -m ipykernel_launcher``
(engine.py), by bubblewrap or the fork server; the autograder package is not visible in the sandbox, so this file
uses the standard library only, and it must not change what an honest notebook computes.

Why: the expected side of the checks no longer runs in the kernel (withhold.py), but a submission could still
change how the grader's cells are compiled or run (an IPython input or AST transformer rewriting a test, an event
callback, a custom exception handler or ``showtraceback`` hiding a failure, a replaced builtin, a tracer), or
answer an item with the library function it asks students to write. An audit hook cannot be removed once added.

What it does, in the order things happen:
- at start: reads this kernel's key (a file the grader wrote into the kernel's io directory, deleted at once),
  opens the check log for appending (a descriptor of its own: replacing the file later does not redirect it);
- at the first compile of a notebook cell (before any student code ran): snapshots IPython's machinery (input,
  line and AST transformers, event callbacks, custom exception handlers, the shell's run/transform/traceback
  methods, the cell compiler), ``sys.displayhook`` / ``excepthook``, the import system's finders and the builtins;
- at every later cell compile: compares them with the snapshot, writes a signed ``seal`` record, and, when the cell
  is a test cell (the grading form starts with ``__grader_item__ = "ITEM NAME..."``), watches the calls of the
  item's forbidden functions (the notebook's ``autograder.forbidden`` metadata) with a profile function until the
  next cell; a call is written as a signed ``forbidden`` record the moment it happens;
- at the first difference, at a tracer installed (``sys.settrace``, or ``sys.setprofile`` by anyone but this
  guard and thread start-up), at the garbage collector's object lists (the way to this hook's key): it writes a
  signed ``tamper`` record and ends the process at once (``os._exit``): no student code runs after it;
- at the grader's last cell (``__grader_end__``): a signed ``end`` record.

Every record carries a sequence number and an HMAC of it under the key; the grader (engine.GuardLedger) refuses a
forged record, a gap in the sequence (a record removed from the log) and a finished notebook without its ``end``.

What it does not stop (ARCHITECTURE.md, "Trust boundary"): code that rewrites the interpreter's memory (ctypes,
raw pointers through numpy), a change made and undone between two compiles, a thread that runs without the
profile function, and a forbidden function reached through an object the student replaced before the test cell
resolved it.
"""

import builtins
import os
import re
import sys

# the hook's functions see a private copy of the builtins (a function keeps the builtins of the globals it was
# made in): a student who replaces ``builtins.id`` or ``isinstance`` changes nothing the hook computes with
__builtins__ = dict(vars(builtins))


def _install() -> None:  # noqa: C901 - one closure: nothing of it is reachable from the student's namespace
    from _hashlib import hmac_digest

    write, leave, audit, getframe = os.write, os._exit, sys.audit, sys._getframe
    gettrace, getprofile, setprofile = sys.gettrace, sys.getprofile, sys.setprofile
    cell_file = re.compile(r"/ipykernel_\d+/\d+\.py$|^<ipython-input-")
    item_marker = re.compile(r"""__grader_item__ = ['"]([^'"]*)['"]""")
    locked_marker = re.compile(r"""__grader_cell__ = ['"]([^'"]*)['"]""")
    end_marker = "__grader_end__"
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
    state["profiling"], state["watched"], state["library_dirs"] = False, (), ()
    state["instructor_files"], state["instructor_names"] = set(), set()
    watch = [None, frozenset(), (), frozenset()]  # item, code objects, file prefixes, C functions
    resolved: dict = {}
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

    def resolve(name: str) -> tuple:
        """(code objects, file prefixes, C functions) of one dotted name, from what is imported now."""
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
        if obj is None:
            return (), (), ()  # not imported yet: nothing of it can run either; tried again at the next test cell
        codes, files, cfuncs = [], [], []
        if obj is module:
            path = getattr(module, "__file__", None) or ""
            if path:
                files.append(path.rsplit("/", 1)[0] + "/" if path.endswith("/__init__.py") else path)
        elif isinstance(obj, type):
            for klass in obj.__mro__:
                if getattr(klass, "__module__", "") in ("builtins", "torch.nn.modules.module", "torch.optim.optimizer"):
                    continue  # the common base classes every student's own class runs too
                for value in vars(klass).values():
                    code = getattr(getattr(value, "__func__", value), "__code__", None)
                    if code is not None:
                        codes.append(code)
        elif getattr(obj, "__code__", None) is not None:
            codes.append(obj.__code__)
        elif callable(obj):
            cfuncs.append(obj)
        resolved[name] = (tuple(codes), tuple(files), tuple(cfuncs))
        return resolved[name]

    def profiler(frame, event, arg, watch=watch, audit=audit):  # noqa: ANN001 - called by the interpreter
        if event == "call":
            code = frame.f_code
            if code in watch[1] or (watch[2] and code.co_filename.startswith(watch[2])):
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
        stack, or the call is a method of an object of a class that neither a library nor an instructor's cell
        defined (``class MyBN(nn.BatchNorm1d): pass`` handed to the test)."""
        while frame is not None:
            code = frame.f_code
            if cell_file.search(code.co_filename) and code.co_filename not in state["instructor_files"]:
                return True
            if "self" in code.co_varnames[: code.co_argcount]:
                cls = type(frame.f_locals.get("self"))
                instructor = cls.__module__ == "__main__" and cls.__name__ in state["instructor_names"]
                if not instructor and not library_class(cls) and cls.__module__ == "__main__":
                    return True
            frame = frame.f_back
        return False

    def set_profile(function) -> None:  # noqa: ANN001
        state["own"] = True
        try:
            setprofile(function)
            threading = sys.modules.get("threading")
            if threading is not None:
                threading.setprofile(function)
        finally:
            state["own"] = False

    def watch_item(text: str) -> None:
        found = item_marker.search(text)
        if found is None:
            watch[0] = None
            state["watched"], state["profiling"] = tuple(watch), False
            if getprofile() is profiler:
                set_profile(None)
            return
        item, *names = found.group(1).split()
        codes, files, cfuncs = [], [], []
        for name in names:
            c, f, cf = resolve(name)
            codes += c
            files += f
            cfuncs += cf
        watch[:] = [item, frozenset(codes), tuple(files), frozenset(cfuncs)]
        state["watched"] = tuple(watch)
        state["reported"] = set()
        state["profiling"] = bool(names)
        set_profile(profiler if names else None)

    def library_dirs() -> tuple:
        """Where the libraries that may register IPython event callbacks live, found before any student code."""
        from importlib.util import find_spec

        found = []
        for name in ("matplotlib", "matplotlib_inline", "ipykernel", "IPython"):
            spec = find_spec(name)
            if spec is not None and spec.origin:
                found.append(spec.origin.rsplit("/", 1)[0] + "/")
        return tuple(found)

    def on_cell(text: str, filename: str) -> None:
        found = locked_marker.search(text)
        if found is not None or item_marker.search(text) is not None:
            state["instructor_files"].add(filename)
        if found is not None:
            state["instructor_names"].update(found.group(1).split()[1:])
        on_any_cell(text)

    def on_any_cell(text: str) -> None:
        if state["snapshot"] is None:
            shell = shell_of()
            if shell is None:
                return
            state["shell"] = shell
            state["library_dirs"] = library_dirs()
            state["snapshot"] = snapshot(shell)
            state["builtins"] = {k: id(v) for k, v in vars(builtins).items()}
            import threading  # noqa: F401 - before any student code: thread start-up calls setprofile from here

            thread_start.append(sys.modules["threading"].Thread._bootstrap_inner.__code__)
        else:
            why = differences(state["snapshot"], snapshot(state["shell"]))
            if why:
                tamper(f"a cell changed how later cells are compiled or run: {why}")
            if state["profiling"] and (
                getprofile() is not profiler
                or profiler.__defaults__[0] is not watch
                or tuple(watch) != state["watched"]
            ):
                tamper("a cell changed the grader's watch of the forbidden functions")
        emit("end" if end_marker in text and text.lstrip().startswith(end_marker) else "seal")
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
            name = str(args[0]) if args else "?"
            if len(args) < 2 or not by_the_student(args[1]):
                return  # the test's own harness (an instructor's cell, a library) may call it on its side
            if watch[0] is not None and name not in state["reported"]:
                state["reported"].add(name)
                emit(f"forbidden {watch[0]} {name}")
        elif event == "sys.settrace":
            tamper("a cell installed a tracer (sys.settrace)")
        elif event == "sys.setprofile" and not state["own"]:
            caller = getframe(1).f_code
            if caller not in thread_start:  # a new thread takes threading's profile function: ours
                tamper("a cell replaced the profile function (sys.setprofile)")
        elif event == "code.__new__" and len(args) > 1 and str(args[1]).startswith(state["library_dirs"]):
            tamper("a cell made code that claims to be a library's (code.__new__)")
        elif event in ("gc.get_objects", "gc.get_referrers", "gc.get_referents"):
            tamper(f"a cell searched the interpreter's objects ({event})")

    sys.addaudithook(hook)


_install()
del _install
import runpy  # noqa: E402  (after the hook: nothing before it runs student code)

sys.argv[0] = "ipykernel_launcher"
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
