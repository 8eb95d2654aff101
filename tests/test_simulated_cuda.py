"""DEVICE="cuda" on a machine without a GPU. tests/simulated_cuda.py keeps the CPU's numbers but tags each tensor
with the device it would live on and raises where CUDA would (mixed devices, numpy of a cuda tensor, a cpu
generator for a cuda draw). Under it, `autograder grade --device cuda` grades every assignment's reference in full,
experiments included: every cell must run and every point be earned. What only a real GPU shows (its own numerics
and kernels) is tests/test_gpu.py's.

The same full runs prove that the course runs the same on every CPU. numpy picks SIMD kernels at run time (AVX-512
where the CPU has it, AVX2 or less elsewhere) and they round differently in the last bits; a value pinned from a
run-time float computation broke `make test` on AVX-512 machines. So these runs switch off every numpy dispatch
target, i.e. run on numpy's baseline kernels (the two properties are independent: one full run per assignment shows
both; the default dispatch on the CPU is `autograder validate`'s, and that every dataset loads bit for bit the same
under both is test_data.py's)."""

import copy
import os
import shutil
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from real_course import ASSIGNMENTS, assert_full_marks_and_no_error, errors_in, grade_in_full
from simulated_cuda import SimulatedCudaError, simulated_cuda
from torch import nn

from autograder.authoring import sample_class
from autograder.core.course_dir import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from make_datasets import narrow_simd_env  # noqa: E402

TESTS = Path(__file__).resolve().parent
CUDA = torch.device("cuda")


def train_a_little(device: torch.device) -> tuple[list[float], dict]:
    """Ordinary GPU-ready code: model, data and targets moved to `device`, two optimizers, BatchNorm, a state
    dict round trip, numpy only after .cpu()."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(32, 5, generator=gen).to(device), torch.randint(0, 3, (32,), generator=gen).to(device)
    net = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).to(device)
    best = copy.deepcopy(net.state_dict())
    losses = []
    for opt in (torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9), torch.optim.Adam(net.parameters())):
        for _ in range(3):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y, label_smoothing=0.1)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    net.load_state_dict(best)
    seen = {
        "weight": net[0].weight.device,
        "grad": net[0].weight.grad.device,
        "running_mean": net[1].running_mean.device,
        "numpy": np.asarray(net(x).detach().cpu()).shape,
    }
    return losses, seen


def test_gpu_ready_code_runs_with_the_cpu_numbers():
    on_cpu, _ = train_a_little(torch.device("cpu"))
    with simulated_cuda():
        on_cuda, seen = train_a_little(CUDA)
    assert on_cuda == on_cpu
    assert [str(seen[k]) for k in ("weight", "grad", "running_mean")] == ["cuda:0"] * 3
    assert seen["numpy"] == (32, 3)


@pytest.mark.parametrize(
    ("bug", "error"),
    [
        (lambda: nn.Linear(3, 2)(torch.randn(4, 3).to(CUDA)), "same device"),  # model left on the CPU
        (lambda: torch.randn(4).to(CUDA) + torch.randn(4), "same device"),
        (lambda: torch.randn(4, 3).to(CUDA) @ torch.randn(3, 2), "same device"),
        (lambda: torch.cat([torch.randn(2).to(CUDA), torch.randn(2)]), "same device"),
        (lambda: torch.randn(4)[torch.tensor([0, 1]).to(CUDA)], "same device"),  # cuda index into a cpu tensor
        (lambda: torch.randn(4).to(CUDA).numpy(), "can't convert cuda:0"),
        (lambda: np.asarray(torch.randn(4).to(CUDA)), "can't convert cuda:0"),  # what matplotlib does
        (lambda: torch.randn(4, generator=torch.Generator(), device=CUDA), "generator"),
        (lambda: torch.empty(4, device=CUDA).uniform_(generator=torch.Generator()), "generator"),
    ],
)
def test_what_cuda_refuses_raises(bug, error):
    with simulated_cuda(), pytest.raises((SimulatedCudaError, TypeError), match=error):
        bug()


def test_what_cuda_allows_runs():
    with simulated_cuda():
        x = torch.randn(4)
        moved = x.to(CUDA)
        assert (str(x.device), str(moved.device)) == ("cpu", "cuda:0")  # moving copies; the source stays
        assert str((moved * torch.tensor(2.0)).device) == "cuda:0"  # a 0-dim cpu tensor joins cuda ones
        assert str(moved[torch.tensor([0, 2])].device) == "cuda:0"  # cpu indices into a cuda tensor
        assert str(moved[x > 0].device) == "cuda:0"
        x.copy_(moved)  # copies cross devices
        assert str(torch.zeros_like(moved).device) == "cuda:0"


def test_everything_is_put_back():
    available = torch.cuda.is_available
    with simulated_cuda():
        tagged = torch.randn(2).to(CUDA)
    assert torch.cuda.is_available is available
    assert str(tagged.device) == "cpu"  # the tag means nothing outside the block
    assert type(nn.Parameter(torch.zeros(1))) is nn.Parameter


# The seeded bug: 01's experiment model is left on the CPU while its data moves to the device.
MODEL_LINE = "nn.Linear(128, data.num_classes)).to(device)"
DEVICE_BUG = "nn.Linear(128, data.num_classes))"


def simulated_env(folder: Path) -> dict[str, str]:
    """Every Python the grader starts (itself, each kernel) loads simulated_cuda_site/sitecustomize.py. Both files
    are copied to ``folder`` first: the sandbox shows a kernel no part of the repository, PYTHONPATH included."""
    site = folder / "simulated_cuda_site"
    shutil.copytree(TESTS / "simulated_cuda_site", site)
    shutil.copy(TESTS / "simulated_cuda.py", site / "simulated_cuda.py")
    path = [str(site), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "SIMULATED_CUDA": "1", "PYTHONPATH": os.pathsep.join(p for p in path if p)}


def baseline_numpy(env: dict[str, str]) -> dict[str, str]:
    """``env`` with numpy's SIMD dispatch narrowed to its baseline, and the data found where a course finds it."""
    narrowed = narrow_simd_env({k: v for k, v in env.items() if k not in ("COURSE_REGISTRY", "COURSE_DATA_DIR")})
    assert narrowed["NPY_DISABLE_CPU_FEATURES"], "numpy dispatches nothing beyond its baseline here: nothing to narrow"
    return narrowed


def with_device_bug(student: sample_class.Student) -> sample_class.Student:
    notebooks = copy.deepcopy(student.notebooks)
    cells = [c for nb in notebooks.values() for c in nb.cells if MODEL_LINE in c.source]
    assert len(cells) == 1, "01's experiment model line moved: update MODEL_LINE"
    cells[0].source = cells[0].source.replace(MODEL_LINE, DEVICE_BUG)
    return sample_class.Student("device-bug", notebooks, kind="misbehaving")


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory) -> dict[str, Future]:
    """Every assignment graded in full, two at a time: one such grade (a reference run, then the student) leaves a
    core idle about half the time. A test's ``result()`` raises its own assignment's failure only."""

    def run(assignment: str):
        folder = tmp_path_factory.mktemp(assignment)
        extra = (lambda ref: [with_device_bug(ref)]) if assignment == ASSIGNMENTS[0] else None
        return grade_in_full(folder, assignment, baseline_numpy(simulated_env(folder)), "cuda", extra)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return {assignment: pool.submit(run, assignment) for assignment in ASSIGNMENTS}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grade_device_cuda_runs_every_cell_of_the_reference_on_numpy_baseline_kernels(assignment, full_runs):
    course, subs = full_runs[assignment].result()
    assert_full_marks_and_no_error(course, subs, assignment)
    if assignment == ASSIGNMENTS[0]:
        found = errors_in(course, "device-bug", assignment)
        assert found and "same device" in found[0], found  # later cells may fail on what it left undone
