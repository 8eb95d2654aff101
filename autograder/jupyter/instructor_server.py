"""The answers and course pages of ``autograder lab --instructor`` and of the instructor on ``autograder hub``: a
Jupyter server extension beside nbgrader's formgrader.

``/autograder/course``: the class's round, one button per step (release, collect, grade, release feedback), each
running the same commands as in a terminal (course_actions.py).

``/autograder/answers`` lists each assignment's written answers (graded, pending); ``/autograder/answers/<assignment>
/<grade id>`` shows the whole class's answers to one question on one page, grouped by similarity
(answer_groups.py), with the question's rubric (rubric.py) above them: a score and a comment per answer, or one
for a whole group, saved into nbgrader's gradebook (manual_grades.py), the same rows the formgrader writes. It goes
beyond the formgrader, which shows one student's notebook at a time.

Served by the Jupyter server, so its login (the token) and its XSRF check protect it; the course and the gradebook
come from ``AUTOGRADER_COURSE`` and ``AUTOGRADER_DB_URL``, which lab.start_instructor sets.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import nbformat
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from autograder.core.course_dir import CourseDir
from autograder.core.errors import UsageError
from autograder.core.markup import grade_id
from autograder.jupyter import course_actions
from autograder.written import answer_groups, manual_grades, rubric

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:70em;margin:0 auto;padding:1em;line-height:1.4}"
    ".rubric{background:#f4f7fb;border:1px solid #c9d6e8;border-radius:6px;padding:.5em 1em}"
    ".group{border:2px solid #ccc;border-radius:8px;margin:1em 0;padding:.5em 1em}"
    ".answer{border-top:1px solid #ddd;padding:.5em 0}.text{white-space:pre-wrap;background:#fafafa;padding:.4em}"
    ".pending{color:#a60}.saved{color:#070}.error{color:#b00}input.points{width:5em}textarea{width:100%}"
)
_SCRIPT = """
async function save(rows, points, comment) {
  for (const row of rows) {
    const body = {assignment: ASSIGNMENT, grade_id: GRADE_ID, student: row.dataset.student,
                  notebook: row.dataset.notebook, points: points === "" ? null : Number(points), comment: comment};
    const status = row.querySelector(".status");
    const reply = await fetch(API, {method: "POST", headers: {"Content-Type": "application/json",
                              "X-XSRFToken": XSRF}, body: JSON.stringify(body)});
    const data = await reply.json();
    status.textContent = reply.ok ? `saved: ${data.points === null ? "not graded" : data.points}` : data.error;
    status.className = "status " + (reply.ok ? "saved" : "error");
    if (reply.ok) { row.querySelector("input.points").value = points; row.querySelector("textarea").value = comment; }
  }
}
function saveOne(button) {
  const row = button.closest(".answer");
  return save([row], row.querySelector("input.points").value, row.querySelector("textarea").value);
}
function saveGroup(button) {
  const group = button.closest(".group");
  return save([...group.querySelectorAll(".answer")], group.querySelector("input.group-points").value,
              group.querySelector("textarea.group-comment").value);
}
function useComment(select) {
  const box = select.closest(".answer, .group-form").querySelector("textarea");
  if (select.value) { box.value = (box.value ? box.value + " " : "") + select.value; }
  select.value = "";
}
"""


def _course() -> CourseDir:
    return CourseDir(Path(os.environ["AUTOGRADER_COURSE"]), os.environ.get("AUTOGRADER_DB_URL", ""))


def _cell_text(path: Path, gid: str) -> str | None:
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return None
    return next((c.source for c in nb.cells if c.cell_type == "markdown" and grade_id(c) == gid), None)


def _answer_text(course: CourseDir, assignment: str, student: str, notebook: str, gid: str) -> str:
    text = _cell_text(course.autograded / student / assignment / f"{notebook}.ipynb", gid)
    return "(the autograded notebook is missing: grade this submission first)" if text is None else text


def answer_only(text: str, released: str) -> str:
    """What the student wrote: the cell without the lines of the released cell (the question, the stub), so
    that answers are grouped by what they say, not by the question they all repeat."""
    given = {line.strip() for line in released.splitlines() if line.strip()}
    return "\n".join(line for line in text.splitlines() if line.strip() and line.strip() not in given)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body>{body}</body></html>"
    )


class _Base(JupyterHandler):
    @property
    def course(self) -> CourseDir:
        return _course()


class IndexHandler(_Base):
    @web.authenticated
    def get(self) -> None:
        course = self.course
        rows = []
        for assignment in course.assignments():
            answers = manual_grades.written(course.db_url, assignment)
            for gid in sorted({w.grade_id for w in answers}):
                mine = [w for w in answers if w.grade_id == gid]
                pending = sum(w.manual_score is None and w.auto_score is None for w in mine)
                href = url_path_join(self.base_url, "autograder/answers", assignment, gid)
                rows.append(
                    f'<tr><td>{html.escape(assignment)}</td><td><a href="{html.escape(href)}">{html.escape(gid)}</a>'
                    f'</td><td>{len(mine)}</td><td class="{"pending" if pending else ""}">{pending}</td></tr>'
                )
        table = "".join(rows) or '<tr><td colspan="4">No graded submission has a written answer yet.</td></tr>'
        self.finish(
            _page(
                "Written answers",
                "<h1>Written answers, question by question</h1><table><tr><th>assignment</th><th>question</th>"
                f"<th>answers</th><th>to grade</th></tr>{table}</table>",
            )
        )


class QuestionHandler(_Base):
    @web.authenticated
    def get(self, assignment: str, gid: str) -> None:
        course = self.course
        answers = [w for w in manual_grades.written(course.db_url, assignment) if w.grade_id == gid]
        if not answers:
            raise web.HTTPError(404, f"no graded answers to {gid} of {assignment}")
        found = rubric.load(course, assignment).get(gid)
        texts = {(w.student, w.notebook): _answer_text(course, assignment, w.student, w.notebook, gid) for w in answers}
        by_key = {(w.student, w.notebook): w for w in answers}
        released = {
            nb: _cell_text(course.release / assignment / f"{nb}.ipynb", gid) or ""
            for nb in {w.notebook for w in answers}
        }
        own = {key: answer_only(text, released[key[1]]) for key, text in texts.items()}
        options = "".join(
            f'<option value="{html.escape(text)}">({p:+g}) {html.escape(text[:90])}</option>'
            for p, text in (found.comments if found else ())
        )
        picker = f'<select onchange="useComment(this)"><option value="">reusable comment...</option>{options}</select>'
        groups = []
        for n, keys in enumerate(answer_groups.group(own), 1):
            blank = answer_groups.is_blank(own[keys[0]])
            items = "".join(self._answer(by_key[k], texts[k], picker) for k in keys)
            label = "no answer (nbgrader gave 0)" if blank else f"group {n}: {len(keys)} similar answer(s)"
            groups.append(
                f'<section class="group"><h2>{label}</h2><div class="group-form">Whole group: points '
                f'<input class="group-points" type="number" step="0.5" min="0" max="{answers[0].max_points:g}"> '
                f'{picker}<textarea class="group-comment" rows="2"></textarea>'
                f'<button onclick="saveGroup(this)">save for the whole group</button></div>{items}</section>'
            )
        rubric_html = (
            f'<div class="rubric"><h2>Rubric</h2><p>{html.escape(found.question)}</p><ul>'
            + "".join(f"<li><b>{p:g}</b>: {html.escape(t)}</li>" for p, t in found.criteria)
            + "</ul></div>"
            if found
            else '<p class="pending">No rubric for this question (assignments/rubrics/).</p>'
        )
        script = (
            f"const ASSIGNMENT = {json.dumps(assignment)}, GRADE_ID = {json.dumps(gid)}, "
            f"XSRF = {json.dumps(self.xsrf_token.decode())}, "
            f"API = {json.dumps(url_path_join(self.base_url, 'autograder/api/grade'))};{_SCRIPT}"
        )
        pending = sum(w.manual_score is None and w.auto_score is None for w in answers)
        body = (
            f"<h1>{html.escape(assignment)}: {html.escape(gid)} ({answers[0].max_points:g} point"
            f"{'s' * (answers[0].max_points != 1)})</h1>"
            f"<p>{len(answers)} answers, {pending} to grade.</p>{rubric_html}{''.join(groups)}<script>{script}</script>"
        )
        self.finish(_page(f"{assignment}: {gid}", body))

    @staticmethod
    def _answer(w: manual_grades.Written, text: str, picker: str) -> str:
        points = "" if w.manual_score is None else f"{w.manual_score:g}"
        state = (
            "not graded" if w.manual_score is None and w.auto_score is None else f"{w.manual_score or w.auto_score:g}"
        )
        return (
            f'<div class="answer" data-student="{html.escape(w.student)}" data-notebook="{html.escape(w.notebook)}">'
            f'<b>{html.escape(w.student)}</b> <span class="status">{state}</span>'
            f'<div class="text">{html.escape(text)}</div>points <input class="points" type="number" step="0.5" '
            f'min="0" max="{w.max_points:g}" value="{points}"> {picker}'
            f'<textarea rows="2">{html.escape(w.comment)}</textarea><button onclick="saveOne(this)">save</button></div>'
        )


class GradeHandler(_Base):
    @web.authenticated
    def post(self) -> None:
        try:
            data = json.loads(self.request.body)
            points = None if data.get("points") is None else float(data["points"])
            saved = manual_grades.record(
                self.course.db_url,
                str(data["assignment"]),
                str(data["notebook"]),
                str(data["student"]),
                str(data["grade_id"]),
                points,
                str(data.get("comment", "")),
            )
        except (KeyError, TypeError, ValueError, UsageError) as exc:
            self.set_status(400)
            self.finish({"error": str(exc)})
            return
        self.finish({"student": saved.student, "points": saved.manual_score, "comment": saved.comment})


_COURSE_SCRIPT = """
async function act(button) {
  const row = button.closest("tr"), result = document.getElementById("result");
  document.querySelectorAll("button").forEach(b => b.disabled = true);
  result.className = "running";
  result.textContent = `${button.dataset.action} ${row.dataset.assignment}: running...`;
  try {
    const reply = await fetch(API, {method: "POST", headers: {"Content-Type": "application/json", "X-XSRFToken": XSRF},
                                    body: JSON.stringify({action: button.dataset.action,
                                                          assignment: row.dataset.assignment})});
    const data = await reply.json();
    result.textContent = data.output || data.error;
    result.className = reply.ok && data.ok ? "done" : "failed";
  } catch (error) {
    result.textContent = `${button.dataset.action} ${row.dataset.assignment}: ${error}`;
    result.className = "failed";
  } finally {
    document.querySelectorAll("button").forEach(b => b.disabled = false);
  }
}
"""


class CourseHandler(_Base):
    """One row per assignment, a button per step of the class's round (course_actions.py), and what it printed."""

    @web.authenticated
    def get(self) -> None:
        rows = "".join(
            f'<tr data-assignment="{html.escape(a)}"><td>{html.escape(a)}</td><td>'
            + " ".join(
                f'<button data-action="{action}" onclick="act(this)">{label}</button>'
                for action, label in course_actions.ACTIONS.items()
            )
            + "</td></tr>"
            for a in self.course.assignments()
        )
        script = (
            f"const XSRF = {json.dumps(self.xsrf_token.decode())}, "
            f"API = {json.dumps(url_path_join(self.base_url, 'autograder/api/course'))};{_COURSE_SCRIPT}"
        )
        self.finish(
            _page(
                "Course",
                f"<h1>Course {html.escape(str(self.course.root))}</h1><p>Each button runs the commands it shows, as "
                "you would in a terminal.</p><table><tr><th>assignment</th><th></th></tr>"
                f'{rows}</table><pre id="result" class="text"></pre><script>{script}</script>',
            )
        )


class CourseActionHandler(_Base):
    @web.authenticated
    async def post(self) -> None:
        try:
            data = json.loads(self.request.body)
            action, assignment = str(data["action"]), self.course.check_assignment(str(data["assignment"]))
            if action not in course_actions.ACTIONS:
                raise ValueError(f"unknown action {action!r}; known: {', '.join(course_actions.ACTIONS)}")
        except (KeyError, TypeError, ValueError, UsageError) as exc:
            self.set_status(400)
            self.finish({"error": str(exc)})
            return
        ok, output = await course_actions.run(self.course, action, assignment)
        self.finish({"ok": ok, "output": output})


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "autograder.jupyter.instructor_server"}]


def _load_jupyter_server_extension(serverapp) -> None:
    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "autograder/answers/?"), IndexHandler),
            (url_path_join(base, r"autograder/answers/([^/]+)/([^/]+)/?"), QuestionHandler),
            (url_path_join(base, "autograder/api/grade"), GradeHandler),
            (url_path_join(base, "autograder/course/?"), CourseHandler),
            (url_path_join(base, "autograder/api/course"), CourseActionHandler),
        ],
    )
