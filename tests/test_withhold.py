"""The grading form (autograder/trust/withhold.py): what is left out of the student's process, and validate's static
check that nothing computed only for the expected side is left in."""

from __future__ import annotations

import ast

import pytest
from nbformat import v4

from autograder.core.submission import Submission
from autograder.trust.withhold import (
    CELL_MARK,
    END_MARK,
    ITEM_MARK,
    MARK_PREFIX,
    WATCH_MARK,
    grading_form,
    mark_end,
    newly_unused,
    withhold_expected,
)
from course import checks


def run(source: str, **names) -> dict:
    """Run a grading form with the real checks and WITHHELD; the records it wrote."""
    checks.RECORDS.clear()
    namespace = {
        "__withheld__": checks.WITHHELD,
        "check_close": checks.check_close,
        "check_equal": checks.check_equal,
        "check_within": checks.check_within,
        "expected": checks.expected,
        **names,
    }
    exec(compile(grading_form(source), "<test>", "exec"), namespace)
    return namespace


def test_the_expected_side_of_every_check_is_left_out_unevaluated():
    calls = []

    def reference(x):
        calls.append(x)
        return x

    run(
        "check_close('a', 1.0, reference(1.0))\n"
        "check_equal('b', 2, expected=reference(2))\n"
        "check_within('c', 0.5, reference(0.0), high=reference(1.0))\n"
        "ref = expected(reference(3.0))\n"
        "check_close('d', 3.0, ref)\n",
        reference=reference,
    )
    assert calls == []  # never computed in the student's process
    assert [(r.id, r.withheld, r.expected) for r in checks.RECORDS] == [(i, True, None) for i in "abcd"]


def test_a_check_computed_from_the_answer_keeps_its_expected_side():
    run("out = 2.0\ncheck_close('m', out, out * 1.0, depends_on_answer=True)")
    assert checks.RECORDS[-1].expected == 2.0 and not checks.RECORDS[-1].withheld


def test_a_compare_helper_gets_the_reference_withheld_and_may_only_pass_it_on():
    helper = (
        "def compare_steps(check_id, mine, ref):\n"
        "    check_equal(check_id + '/n', len(mine), len(ref))\n"
        "    for t, x in enumerate(mine):\n"
        "        check_close(check_id, x, ref[t], case=str(t))\n"
    )
    run(helper + "compare_steps('s', [1.0, 2.0], [1.0, 2.0])")
    assert [(r.id, r.case, r.got) for r in checks.RECORDS] == [("s/n", "", 2), ("s", "0", 1.0), ("s", "1", 2.0)]
    with pytest.raises(checks.ExpectedWithheld):  # a helper that iterates the reference fails loudly
        run("def compare_zip(i, mine, ref):\n    for a, b in zip(mine, ref):\n        pass\ncompare_zip('z', [1], [1])")


def test_unpacking_an_expected_value_withholds_each_name():
    ns = run("a, b = expected((1, 2))")
    assert ns["a"] is checks.WITHHELD and ns["b"] is checks.WITHHELD


def test_the_static_check_names_what_only_the_expected_side_needed():
    leaky = "ref = torch_version(x)\ncheck_close('a', mine(x), ref)"
    assert newly_unused({"t": leaky}) == ["t: ref"]
    assert newly_unused({"t": "ref = expected(torch_version(x))\ncheck_close('a', mine(x), ref)"}) == []
    helper = "def compare_it(i, mine, ref):\n    bound = 6 * ref\n    check_within(i, mine, -bound, bound)"
    assert newly_unused({"helpers": helper}) == ["helpers, compare_it(): bound"]
    loop = "ref = expected(run())\nfor i, x in enumerate(mine()):\n    check_close('a', x, ref[i])"
    assert newly_unused({"t": loop}) == []  # a loop's index is no value of the expected side
    # a helper a solution calls stays, even when the tests now only use it on the expected side
    shared = {"helpers": "gain = torch_gain", "t": "check_close('a', mine(), gain('relu'))"}
    assert newly_unused(shared) == ["helpers: gain"]
    assert newly_unused(shared, ["def mine():\n    return gain('relu')"]) == []


def test_the_stage_marks_each_test_cell_with_its_item_and_forbidden_functions():
    test = v4.new_code_cell("check_close('adam/x', my_adam(), torch_adam())")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "adam__hidden"}
    solution = v4.new_code_cell("def my_adam():\n    return torch_adam()")
    solution.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": "adam_impl"}
    # a student's cell that claims to be the grader's (a marker in its text) speaks to the guard no more
    forger = v4.new_code_cell(f"{CELL_MARK} = 'locked'\n{ITEM_MARK} = 'sgd'")
    forger.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": "sgd_impl"}
    sub = Submission("s", "a", "a", None)
    sub.nb = v4.new_notebook(cells=[solution, test, forger])
    mark_end(withhold_expected(sub, {"adam": ["torch.optim.Adam", "torch.optim.adam"], "sgd": ["torch.optim.SGD"]}))
    watch, first, *rest = ast.parse(sub.nb.cells[1].source).body
    assert ast.unparse(watch) == f"{WATCH_MARK} = 'torch.optim.Adam torch.optim.SGD torch.optim.adam'"
    assert ast.unparse(first) == f"{ITEM_MARK} = 'adam torch.optim.Adam torch.optim.adam'"
    assert "torch_adam" not in sub.nb.cells[1].source and sub.nb.cells[0].source == solution.source  # theirs kept
    assert MARK_PREFIX not in sub.nb.cells[2].source
    assert sub.nb.cells[-1].source.startswith(END_MARK)


def _test_cell(source: str, grade_id: str):
    cell = v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id}
    return cell


def test_a_reference_function_a_hidden_test_defines_is_left_out_with_what_only_it_called():
    hidden = _test_cell(
        "### BEGIN HIDDEN TESTS\n"
        "def ref_step(x):\n    return 2 * x\n\n"
        "def ref_run(x):\n    return ref_step(ref_step(x))\n\n"
        "def make_input(k):\n    return k + 1\n\n"
        "def shared_case(k):\n    return k * 3\n\n"
        "check_close('twice/run', twice(twice(make_input(1))), expected(ref_run(make_input(1))))\n"
        "### END HIDDEN TESTS",
        "twice__hidden",
    )
    later = _test_cell("check_close('other/x', other(shared_case(2)), expected(ref_step(6)))", "other__visible")
    # a student's function that calls the hidden reference by its name (learned from a leaked hidden test)
    solution = v4.new_code_cell("def twice(x):\n    return ref_step(x)")
    solution.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": "twice_impl"}
    sub = Submission("s", "a", "a", None)
    sub.nb = v4.new_notebook(cells=[solution, hidden, later])
    withhold_expected(sub, {})
    defined = {n.name for n in ast.walk(ast.parse(sub.nb.cells[1].source)) if isinstance(n, ast.FunctionDef)}
    # make_input feeds the student's side; shared_case a later cell; the student's call to ref_step counts for nothing
    assert defined == {"make_input", "shared_case"}
    assert sub.nb.cells[0].source == solution.source
