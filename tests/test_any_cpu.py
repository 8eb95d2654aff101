"""The course runs the same on every CPU. numpy picks SIMD kernels at run time (AVX-512 where the CPU has it, AVX2
or less elsewhere) and they round differently in the last bits; a value pinned from a run-time float computation
broke `make test` on AVX-512 machines. Here every assignment's reference runs in full (experiments included, as
`grade` runs it) with every numpy dispatch target switched off, i.e. on numpy's baseline kernels, and must earn
every point with no cell failing. The same full run with the default dispatch is test_simulated_cuda.py's; that
every dataset loads bit for bit the same under both is test_data.py's."""

import os
import sys
from pathlib import Path

import pytest
from real_course import ASSIGNMENTS, assert_full_marks_and_no_error, grade_in_full

from autograder.core.course_dir import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from make_datasets import narrow_simd_env  # noqa: E402


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_runs_in_full_on_numpy_baseline_kernels(assignment: str, tmp_path: Path) -> None:
    env = narrow_simd_env({k: v for k, v in os.environ.items() if k not in ("COURSE_REGISTRY", "COURSE_DATA_DIR")})
    assert env["NPY_DISABLE_CPU_FEATURES"], "numpy dispatches nothing beyond its baseline here: nothing to narrow"
    course, subs = grade_in_full(tmp_path, assignment, env, "cpu")
    assert_full_marks_and_no_error(course, subs, assignment)
