"""Where student code runs, and nothing it can reach: the bubblewrap sandbox (sandbox), the kernel's first
code, an audit hook the student cannot remove (kernel_guard), the fork server that starts kernels with torch
already imported (forkserver, forkserver_inside: the latter runs inside the sandbox), the papermill engine that
talks to the kernel and reads its check log defensively (engine), warm kernels (warm), the worker pools
(executors) and one notebook's execution (execute). Everything that comes back from here is untrusted data.
"""
