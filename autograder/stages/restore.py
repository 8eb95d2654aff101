"""Stage 3, restore: nbgrader's sanitize pipeline puts the instructor's cells back.

Order (nbgrader's own ``Autograde.sanitize_preprocessors``, plus one step of ours at the end):
  1. ClearOutput          - the student's outputs are never trusted
  2. DeduplicateIds       - a copied grade cell cannot be scored twice
     ForgetBrokenMetadata - ours: nbgrader metadata left without a grade id (DeduplicateIds strips the id of a
                            copy; a student can edit it away) makes the cell a plain student cell, instead of
                            crashing OverwriteCells
  3. RestoreKernelspec    - nbgrader's OverwriteKernelspec: the kernel is the instructor's
  4. RestoreCells         - nbgrader's OverwriteCells: locked and test cells from the gradebook; hidden tests
                            come back with them; deleted grade cells are re-added (``add_missing_cells``). Ours
                            only in what it logs: a test cell that differs from the gradebook by its hidden tests
                            alone is what every student hands in, so it is not reported as a changed checksum
  5. CheckMetadata        - nbgrader's CheckCellMetadata (refuses metadata nbgrader cannot score), with the
                            schema compiled once
  6. RestoreParametersTag - papermill must find the ``parameters`` cell even if its tag was removed
  7. EnsureCellIds        - cells nbgrader re-adds have no id (nbformat 4.5 requires one)
"""

from __future__ import annotations

import functools
import json

import jsonschema
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbgrader.nbgraderformat import ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets.config import Config

from autograder.core.gradebook import NotebookCells, exclusive
from autograder.core.markup import grade_id
from autograder.core.submission import State, Submission

PARAMETERS_ID = "parameters"


class RestoreParametersTag(Preprocessor):
    """Tag the locked cell ``parameters`` for papermill (students can edit tags, not locked sources)."""

    def preprocess_cell(self, cell, resources, index):
        if grade_id(cell) == PARAMETERS_ID:
            tags = cell.metadata.setdefault("tags", [])
            if "parameters" not in tags:
                tags.append("parameters")
        return cell, resources


class ForgetBrokenMetadata(Preprocessor):
    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {})
        nbgrader = meta.get("nbgrader")
        if nbgrader is not None and (not isinstance(nbgrader, dict) or not isinstance(nbgrader.get("grade_id"), str)):
            del meta["nbgrader"]
        return cell, resources


class RestoreCells(OverwriteCells):
    """OverwriteCells that keeps quiet about the one change every honest submission has (its hidden tests are
    missing): otherwise each batch logs a "checksum has changed" warning per hidden test cell and student, which
    buries the warning for a locked cell a student really edited."""

    def preprocess(self, nb, resources):
        # OverwriteCells.preprocess over the batch's copy of the cells (gradebook.NotebookCells), instead of a
        # Gradebook of its own queried once per cell
        self._student = resources["nbgrader"].get("student", "?")
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = resources["gradebook"]
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        self._cell = cell  # the student's cell, for report_change (nbgrader passes it only checksums)
        return super().preprocess_cell(cell, resources, index)

    def _as_released(self, name: str) -> str:
        source = self.gradebook.find_source_cell(name, self.notebook_id, self.assignment_id)
        released = NotebookNode(cell_type=source.cell_type, source=source.source, metadata={})
        ClearHiddenTests()._remove_hidden_test_region(released)
        return released.source

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._cell.source == self._as_released(name):
            self.log.debug("cell %s is as released (its hidden tests are restored)", name)
            return
        if attr == "checksum":
            self.log.warning(
                "student %s edited the locked cell %s: the instructor's version is graded", self._student, name
            )
        else:
            super().report_change(name, attr, old, new)


class RestoreKernelspec(OverwriteKernelspec):
    """OverwriteKernelspec (the kernel is the instructor's) from the batch's copy of the cells, where nbgrader's
    opens a Gradebook of its own for this one value (8 ms a notebook)."""

    def preprocess(self, nb, resources):
        kernelspec = resources["gradebook"].kernelspec
        if kernelspec:
            nb.metadata["kernelspec"] = json.loads(kernelspec)
        return nb, resources


class _CompiledSchema(BaseMetadataValidator):
    """nbgrader validates each cell with ``jsonschema.validate``, which checks the schema itself on every call
    (about 70 ms of a 66-cell notebook); the same checks with the validator built once."""

    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version != self.schema_version:
            error = SchemaTooOldError if version < self.schema_version else SchemaTooNewError
            raise error(f"schema version {version} (expected {self.schema_version})", version, self.schema_version)
        _validator(json.dumps(self.schema, sort_keys=True)).validate(cell.metadata["nbgrader"])


@functools.lru_cache(maxsize=4)
def _validator(schema: str) -> jsonschema.protocols.Validator:
    parsed = json.loads(schema)
    cls = jsonschema.validators.validator_for(parsed)
    cls.check_schema(parsed)
    return cls(parsed)


class _MetadataValidator(MetadataValidatorV3, _CompiledSchema):
    """nbgrader's v3 checks (duplicate ids, cell kinds) over the compiled schema check."""


class CheckMetadata(CheckCellMetadata):
    def preprocess(self, nb, resources):
        try:
            _MetadataValidator().validate_nb(nb)
        except ValidationError as exc:
            self.log.error("notebook failed to validate: %s", exc)
            raise ValidationError("Notebook failed to validate; the nbgrader metadata may be corrupted.") from exc
        return nb, resources


class EnsureCellIds(Preprocessor):
    def preprocess_cell(self, cell, resources, index):
        if not cell.get("id"):
            cell["id"] = f"restored-{grade_id(cell) or index}"
        return cell, resources


SANITIZE = [
    ClearOutput,
    DeduplicateIds,
    ForgetBrokenMetadata,
    RestoreKernelspec,
    RestoreCells,
    CheckMetadata,
    RestoreParametersTag,
    EnsureCellIds,
]


def nbgrader_resources(sub: Submission, db_url: str) -> dict:
    return {
        "nbgrader": {
            "notebook": sub.notebook_name,
            "assignment": sub.assignment,
            "student": sub.student,
            "db_url": db_url,
        }
    }


def restore(sub: Submission, config: Config, db_url: str, cells: NotebookCells | None = None) -> Submission:
    """``cells``: the notebook's cells in the gradebook, as the batch copied them (read here when not given)."""
    if not sub.ok or sub.nb is None:
        return sub
    if cells is None:
        with exclusive(db_url):  # nbgrader's Gradebook() may write (it creates the tables of an empty database)
            cells = NotebookCells.load(db_url, sub.notebook_name, sub.assignment)
    nb: NotebookNode = sub.nb
    resources = {**nbgrader_resources(sub, db_url), "gradebook": cells}
    try:
        for step in SANITIZE:
            nb, resources = step(config=config).preprocess(nb, resources)
    except ValidationError as exc:
        return sub.fail(State.STUDENT_FAULT, f"notebook structure altered: {str(exc).splitlines()[0][:200]}")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # nbgrader choking on edited metadata
        return sub.fail(State.STUDENT_FAULT, f"notebook metadata altered: nbgrader cannot restore it ({exc!r:.200})")
    sub.nb = nb
    return sub
