"""Python imports this at start-up when its folder is on PYTHONPATH: with SIMULATED_CUDA=1 the process (the grader,
each notebook kernel it starts) runs under tests/simulated_cuda.py, so `--device cuda` can be exercised on a CPU."""

import os

if os.environ.get("SIMULATED_CUDA") == "1":
    import simulated_cuda

    simulated_cuda.install()
