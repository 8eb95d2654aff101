"""CPU and GPU give the same points: every assignment's reference, blank release and mutants graded with
DEVICE="cpu" and with DEVICE="cuda" (deterministic kernels, CUBLAS_WORKSPACE_CONFIG set by seed_everything) earn
identical points per grade cell. Needs a CUDA GPU; skips with the reason elsewhere."""

from dataclasses import replace

import pytest
import torch
from real_course import ASSIGNMENTS, copy_course

from autograder.authoring.validate import grade_material, judge, points
from autograder.isolation.execute import Limits
from autograder.stages.pipeline import GradeOptions

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (torch finds none here)")
OPTIONS = GradeOptions(limits=Limits(notebook_timeout=600, cell_timeout=120), graded_only=True)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_points_are_identical_on_cpu_and_gpu(assignment, tmp_path):
    course = copy_course(tmp_path)
    students, on_cpu = grade_material(course, assignment, replace(OPTIONS, device="cpu"), label="cpu")
    _, on_gpu = grade_material(course, assignment, replace(OPTIONS, device="cuda"), label="cuda")
    assert all(v.ok for v in judge(students, on_gpu))
    assert {s: points(sub) for s, sub in on_cpu.items()} == {s: points(sub) for s, sub in on_gpu.items()}
