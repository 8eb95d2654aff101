"""The similarity report on 06_hyperparameters: planted copies (renamed variables, added comments, the two
functions of a cell in the other order) are found, side by side with the shared code marked; independent correct
solutions of the same items stay below the threshold; the release's starter code counts for nobody; nothing but
flags and a report comes of it."""

from __future__ import annotations

import os
import re

import nbformat
import pytest
from real_course import copy_course

from autograder.cli import main
from autograder.core.markup import grade_id, is_solution, strip_markers
from autograder.core.submission import State, Submission
from autograder.handout.release import release
from autograder.reports import class_report, similarity

A = "06_hyperparameters"

# written independently of the reference (the contracts only), as a student would
INDEPENDENT = {
    "halving_impl": '''def successive_halving(configs, evaluate, min_budget, eta=3):
    """Successive halving over the list configs; returns (winner, rungs), see the contract above."""
    if len(configs) == 0:
        raise ValueError("no configurations")
    survivors = [i for i in range(len(configs))]
    history = []
    rung = 0
    while True:
        b = min_budget * eta ** rung
        scores = []
        for pos in survivors:
            scores.append(evaluate(configs[pos], b))
        history.append((b, survivors[:], scores))
        if len(survivors) <= 1:
            break
        n_keep = len(survivors) // eta
        if n_keep < 1:
            n_keep = 1
        order = sorted(zip(scores, survivors))[:n_keep]
        survivors = sorted(pos for _, pos in order)
        rung += 1
    return survivors[0], history''',
    "early_stop_impl": '''def median_stop(curve, completed, min_steps=1):
    """The median stopping rule: True if the running trial should stop, see the contract above."""
    steps = len(curve)
    if steps < min_steps:
        return False
    running = []
    for other in completed:
        if len(other) < steps:
            continue
        running.append(sum(other[:steps]) / steps)
    if len(running) == 0:
        return False
    running.sort()
    mid = len(running) // 2
    med = running[mid] if len(running) % 2 == 1 else 0.5 * (running[mid - 1] + running[mid])
    return min(curve) > med''',
}


def renamed_and_commented(code: str) -> str:
    """What a copier does to hide a copy: every assigned name renamed, comments added."""
    for k, name in enumerate(sorted(set(re.findall(r"^\s*([a-z_][a-z0-9_]*)\s*=", code, re.M)))):
        code = re.sub(rf"\b{name}\b", f"my_var_{k}", code)
    lines = code.splitlines()
    return "\n".join(line + ("  # my own step" if k % 3 == 1 else "") for k, line in enumerate(lines))


def functions_swapped(code: str) -> str:
    first, second = code.split("\n\n\ndef ", 1)
    return "def " + second + "\n\n\n" + first


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("similarity"))
    release(course, A)
    source = nbformat.read(course.source_notebooks(A)[0], as_version=4)
    reference = {grade_id(c): strip_markers(c.source) for c in source.cells if is_solution(c)}
    cells = {  # student -> the solution cells they filled (the rest stays as released)
        "alice": {g: reference[g] for g in ("halving_impl", "early_stop_impl", "bayes_opt_impl")},
        "bob": {"halving_impl": renamed_and_commented(reference["halving_impl"])},
        "carol": {"bayes_opt_impl": renamed_and_commented(functions_swapped(reference["bayes_opt_impl"]))},
        "dan": dict(INDEPENDENT),
        "erin": {"early_stop_impl": renamed_and_commented(INDEPENDENT["early_stop_impl"])},
        "fay": {},  # hands in the release untouched
    }
    for odd in ("gil", "hal"):  # a FIFO and a link instead of a notebook: skipped, never waited on or followed
        (course.submitted / odd / A).mkdir(parents=True)
    os.mkfifo(course.submitted / "gil" / A / f"{A}.ipynb")
    released = nbformat.read(course.release / A / f"{A}.ipynb", as_version=4)
    for student, mine in cells.items():
        nb = nbformat.from_dict(released)
        for cell in nb.cells:
            if grade_id(cell) in mine:
                cell.source = mine[grade_id(cell)]
        folder = course.submitted / student / A
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{A}.ipynb")
    (course.submitted / "hal" / A / f"{A}.ipynb").symlink_to(course.submitted / "alice" / A / f"{A}.ipynb")
    return course


def test_planted_copies_are_found_and_independent_solutions_are_not(course):
    pairs = similarity.find(course, A)
    found = {(p.cell, p.a, p.b) for p in pairs}
    assert found == {
        ("halving_impl", "alice", "bob"),  # renamed, commented
        ("bayes_opt_impl", "alice", "carol"),  # and the two functions in the other order
        ("early_stop_impl", "dan", "erin"),  # a copy of an independent solution is a copy too
    }, [(p.cell, p.a, p.b, p.score) for p in pairs]
    assert all(p.score >= 0.9 for p in pairs)
    # every pair below the threshold includes the independent ones: alice ~ dan on two items, fay's stubs
    everything = similarity.compare(similarity.class_code(course, A), similarity.starter_code(course, A), threshold=0.0)
    below = {(p.cell, p.a, p.b): p.score for p in everything if (p.cell, p.a, p.b) not in found}
    assert below[("halving_impl", "alice", "dan")] < 0.5 and below[("early_stop_impl", "alice", "dan")] < 0.5
    assert not any("fay" in (p.a, p.b) and p.score > 0 for p in everything), "the release's code is boilerplate"
    bob = next(p for p in pairs if p.b == "bob")
    assert "<mark>" in bob.shown_a and "my_var_" in bob.shown_b and "<script" not in bob.shown_b


def test_the_command_and_the_class_page_show_pairs_and_only_flags_come_of_it(course, capsys):
    assert main(["--course", str(course.root), "similarity", A]) == 0
    out = capsys.readouterr().out
    assert "halving_impl: alice ~ bob" in out and "3 pair(s) above 0.80" in out
    page = (course.reports / f"{A}_similarity.html").read_text()
    assert page.count('<div class="pair">') == 3 and "<mark>" in page
    pairs = similarity.find(course, A)
    assert [f.split(" (")[0] for f in similarity.flags(pairs)["bob"]] == ["halving_impl: similar to alice's"]
    assert "dan" not in similarity.flags(pairs) or all("erin" in f for f in similarity.flags(pairs)["dan"])
    graded = [Submission(name, A, A, None, State.GRADED) for name in ("alice", "bob", "carol")]
    shown = class_report.render(graded, A, None, pairs)
    assert 'id="similarity"' in shown and shown.count('<div class="pair">') == 3 and "<mark>" in shown
    with pytest.raises(SystemExit) as bad:
        main(["--course", str(course.root), "similarity", A, "--threshold", "2"])
    assert bad.value.code == 2 and "must be in (0, 1]" in capsys.readouterr().err


def test_a_class_of_copies_gets_a_bounded_page_and_bounded_flags():
    code = {f"s{k:02d}": {"nb:cell": "def f(x):\n" + "    x = x * 2 + 1\n" * 12 + "    return x\n"} for k in range(30)}
    pairs = similarity.compare(code, {})
    assert len(pairs) == 30 * 29 // 2 and all(p.score == 1.0 for p in pairs)
    assert all(
        len(f) == similarity.FLAGS_PER_STUDENT + 1 and f[-1].startswith("and 26 more")
        for f in similarity.flags(pairs).values()
    )
    page = similarity.section(pairs, similarity.THRESHOLD)
    assert page.count('<div class="pair">') == min(len(pairs), similarity.PAGE_PAIRS) and "435 pair(s)" in page
