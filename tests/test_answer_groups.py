"""Grouping a class's written answers by similarity (answer_groups.py) and reading only what the student wrote
(instructor_server.answer_only): close rewordings meet, different arguments stay apart, blanks go last."""

from autograder.jupyter.instructor_server import answer_only
from autograder.written.answer_groups import group, is_blank

QUESTION = "**Written answer (2 points).** Why does L1 give exact zeros and L2 does not?\n\nYOUR ANSWER HERE"


def test_rewordings_meet_different_arguments_stay_apart_and_blanks_go_last():
    answers = {
        "ann": "L1 pulls every weight towards zero with a constant force lambda sign(w), so small weights hit zero.",
        "ben": "The L1 penalty pulls each weight toward zero with a constant force, lambda times sign(w): small ones "
        "reach zero.",
        "cat": "L2 shrinks weights proportionally, lambda w, so the pull fades near zero and never makes exact zeros.",
        "dan": "YOUR ANSWER HERE",
        "eve": "",
        "fay": "L2's pull is proportional to w (lambda w): it fades near zero, so weights never become exactly zero.",
    }
    groups = group(answers)
    assert sorted(map(sorted, groups[:-1])) == [["ann", "ben"], ["cat", "fay"]]
    assert groups[-1] == ["dan", "eve"] and is_blank("  your answer here ") and not is_blank("zero")


def test_the_question_is_left_out_before_grouping():
    written = QUESTION.replace("YOUR ANSWER HERE", "Because the corners of the L1 ball lie on the axes.")
    assert answer_only(written, QUESTION) == "Because the corners of the L1 ball lie on the axes."
    assert is_blank(answer_only(QUESTION, QUESTION))
