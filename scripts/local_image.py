"""Build and run the lab's CPU image (docker/Dockerfile.cpu) on a machine with no Docker engine and no reachable
image registry: Debian's podman with runc, on a Debian bookworm base made from the Debian archive.

    python scripts/local_image.py build                 # base (first time only) + image localhost/dl-training-lab:cpu
    python scripts/local_image.py run --course DIR -- autograder validate 03_normalization
    python scripts/local_image.py why-not               # why podman cannot build here (nothing printed: it can)

Everything podman keeps (the base, the layer cache, the image) lives in build/podman/ (git-ignored), so a second
build of an unchanged lock takes seconds; `rm -rf build/podman` starts over. What each option is for, measured on a
Debian 12 host (DESIGN.md section 9):
- runc: podman's default runtime crun refuses a host with hybrid cgroups;
- open-file and process limits given explicitly: podman's defaults fail on this host (DESIGN.md section 9);
- builds on the host network (apt and pip reach their registries), runs with `--network none` (loopback only);
- pip inside the build gets this machine's own pip configuration: its config files and every file or folder they
  name (the CA bundle, local indexes, find-links, constraints) mounted read-only, because the registries here are
  reached through them;
- `--security-opt unmask=/proc/*`: bubblewrap (the grading sandbox) mounts a new /proc inside the container;
  `--security-opt seccomp=unconfined`: podman's default seccomp profile refuses the sandbox's sethostname.
  Both loosen the container, not the student's kernel: that runs in the sandbox within it.
The base is the image's stand-in for python:3.11-slim, and docker/Dockerfile.cpu takes it as its BASE build
argument: Debian bookworm (minbase) with CPython 3.11 in /usr/local. Debian's own python3.11 is 3.11.2 and the lock
needs 3.11.5 or newer (soupsieve), and no registry here serves CPython builds, so the base gets the CPython that runs
this script (the one the local set-up uses), copied without its site-packages.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / "build" / "podman"
# the base carries this machine's CPython (make_base): a new one gets a new base
BASE = f"localhost/dl-training-lab-base:bookworm-python{sys.version.split()[0]}"
IMAGE = "localhost/dl-training-lab:cpu"
DOCKERFILE = ROOT / "docker" / "Dockerfile.cpu"
# What python:3.11-slim has beside CPython: CA certificates, netbase, and the libraries CPython's modules link to.
BASE_PACKAGES = [
    "ca-certificates", "netbase", "libssl3", "libffi8", "libsqlite3-0", "libbz2-1.0", "liblzma5", "zlib1g",
    "libreadline8", "libncursesw6", "libuuid1", "libgdbm6", "libexpat1",
]  # fmt: skip
WORKDIR = "/home/lab/lab"  # the image's checkout (docker/Dockerfile.cpu)
HOST_PIP = "/mnt/host-pip"  # where pip's CA bundle goes in a build: the image's own bundle stays in place
NEEDS = ("podman", "runc", "mmdebstrap")


def why_not() -> str | None:
    """Why podman cannot build and run images here, or None when it can."""
    if sys.platform != "linux":
        return "podman images are built on Linux only"
    if os.geteuid() != 0:
        return "not root: podman's rootful overlay storage and runc need root here (make image installs as root)"
    missing = [tool for tool in NEEDS if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed (make image installs Debian's podman, runc, mmdebstrap as root)"
    return None


def _runroot() -> Path:
    # Run-time state (locks, sockets) belongs on /run and its socket paths must stay short (108 bytes); one per
    # storage folder, as podman refuses a database whose paths differ from the ones it was made with.
    tag = hashlib.sha1(str(STATE).encode()).hexdigest()[:10]
    return Path("/run" if os.access("/run", os.W_OK) else "/tmp") / f"dl-lab-podman-{tag}"


def _ulimits() -> list[str]:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    hard = 1048576 if hard == resource.RLIM_INFINITY else hard
    return ["--ulimit", f"nofile={hard}:{hard}", "--ulimit", "nproc=32768:32768"]


def podman(*args: str, check: bool = True, capture: bool = False, **kwargs) -> subprocess.CompletedProcess:
    runroot = _runroot()
    command = [
        "podman",
        "--root", str(STATE / "storage"),
        "--runroot", str(runroot),
        "--tmpdir", str(runroot / "libpod"),
        "--storage-driver", "overlay",
        "--runtime", "runc",
        "--cgroup-manager", "cgroupfs",
        "--events-backend", "file",
        *args,
    ]  # fmt: skip
    return subprocess.run(command, check=check, capture_output=capture, text=True, **kwargs)


def exists(image: str) -> bool:
    return podman("image", "exists", image, check=False).returncode == 0


def image_size(image: str = IMAGE) -> int:
    return int(podman("image", "inspect", "--format", "{{.Size}}", image, capture=True).stdout.strip())


def python_prefix() -> Path:
    """The CPython installation that runs this script (a venv's base), which the base image gets in /usr/local."""
    prefix = Path(sys.base_prefix)
    if prefix == Path("/usr") or sys.version_info[:2] != (3, 11):
        raise RuntimeError(f"the base needs a self-contained CPython 3.11 (pyenv, python.org); this is {prefix}")
    return prefix


def make_base() -> None:
    """A Debian bookworm base from the Debian archive (this host's apt sources) with python_prefix() copied into
    /usr/local (without its site-packages: the image's venv installs everything from the lock), imported as BASE."""
    STATE.mkdir(parents=True, exist_ok=True)
    tar = STATE / "base.tar"
    copy_python = (
        f"tar -C {python_prefix()} --exclude=./lib/python3.11/site-packages/* --exclude=__pycache__ -c . "
        '| tar -C "$1/usr/local" -x --no-same-owner && chroot "$1" ldconfig'
    )
    subprocess.run(
        [
            "mmdebstrap", "--quiet", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}",
            f"--customize-hook={copy_python}", "bookworm", str(tar),
        ],
        check=True,
    )  # fmt: skip
    path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    podman("import", "--change", f"ENV {path}", "--change", 'CMD ["/bin/bash"]', str(tar), BASE, capture=True)
    tar.unlink()


def pip_config() -> tuple[str, list[str]]:
    """This machine's effective pip configuration (files and PIP_* variables) as one pip.conf for the build, and
    the volumes that make every file and folder it names visible there (read-only, at the same path; the CA
    bundle under HOST_PIP, where it does not hide the image's own)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], check=True, capture_output=True, text=True
    ).stdout
    settings: dict[str, str] = {}
    for line in listed.splitlines():  # `global.cert='...'`, `:env:.cert='...'`: later lines win, as in pip
        match = re.match(r"^[^.]*\.([\w-]+)='(.*)'$", line)
        if match:
            settings[match.group(1)] = match.group(2)
    volumes: dict[str, str] = {}
    for key, value in settings.items():
        words = []
        for word in value.split():
            path = word.removeprefix("file://")
            if path.startswith("/") and Path(path).exists():
                if key in ("cert", "client-cert"):
                    inside = f"{HOST_PIP}/{key}-{Path(path).name}"
                    volumes[path] = inside
                    word = word.replace(path, inside)
                elif key.endswith("index-url"):  # a file index's pages link to files beside it (../../files)
                    volumes[str(Path(path).parent)] = str(Path(path).parent)
                else:
                    volumes[path] = path
            words.append(word)
        settings[key] = " ".join(words)
    text = "[global]\n" + "".join(f"{key} = {value}\n" for key, value in settings.items())
    return text, [f"{host}:{inside}:ro" for host, inside in volumes.items()]


def build(*, quiet: bool = False) -> dict[str, float]:
    """The base when missing, then IMAGE from docker/Dockerfile.cpu; seconds spent on each."""
    if reason := why_not():
        raise RuntimeError(reason)
    times: dict[str, float] = {}
    start = time.monotonic()
    if not exists(BASE):
        make_base()
        times["base"] = time.monotonic() - start
    conf, volumes = pip_config()
    (STATE / "pip.conf").write_text(conf)
    mounts = [arg for volume in [f"{STATE / 'pip.conf'}:/etc/pip.conf:ro", *volumes] for arg in ("--volume", volume)]
    start = time.monotonic()
    built = podman(
        "build", "--pull=never", "--layers", "--network", "host", *_ulimits(), *mounts,
        "--build-arg", f"BASE={BASE}", "--file", str(DOCKERFILE), "--tag", IMAGE,
        *(["--quiet"] if quiet else []), str(ROOT),
        capture=quiet, check=False,
    )  # fmt: skip
    if built.returncode != 0:
        said = (built.stdout or "") + (built.stderr or "") if quiet else "(its output is above)"
        raise RuntimeError(f"podman build of {DOCKERFILE.name} failed: {said[-4000:]}")
    times["image"] = time.monotonic() - start
    podman("image", "prune", "--force", capture=True)  # earlier builds' layers, no longer under any tag
    return times


def run_args(
    command: list[str], *, volumes: list[str] = (), network: str = "none", sandbox: bool = True, name: str = ""
) -> list[str]:
    """`podman run` arguments for COMMAND in IMAGE (as its user 1000), with VOLUMES (`host:container[:opts]`)."""
    return [
        "run", "--rm", "--network", network, *_ulimits(),
        *(["--security-opt", "unmask=/proc/*", "--security-opt", "seccomp=unconfined"] if sandbox else []),
        *(["--name", name] if name else []),
        *[arg for volume in volumes for arg in ("--volume", volume)],
        IMAGE, *command,
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("build", help="build the base (first time) and the CPU image")
    verbs.add_parser("why-not", help="print why podman cannot build here; nothing when it can")
    run = verbs.add_parser("run", help="run a command in the image with --network none and the sandbox allowed")
    run.add_argument("--course", type=Path, help=f"course folder mounted at {WORKDIR}/assignments (writable by 1000)")
    run.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    reason = why_not()
    if args.verb == "why-not":
        if reason:
            print(reason)
        return 0
    if reason:
        print(f"image not built: {reason}", file=sys.stderr)
        return 2 if args.verb == "run" else 0
    if args.verb == "build":
        try:
            times = build()
        except (RuntimeError, subprocess.CalledProcessError) as error:
            print(f"image not built: {error}", file=sys.stderr)
            return 1
        print(
            f"{IMAGE}: {image_size() / 2**30:.2f} GiB; "
            + ", ".join(f"{what} {seconds:.0f} s" for what, seconds in times.items())
        )
        return 0
    volumes = [f"{args.course.resolve()}:{WORKDIR}/assignments"] if args.course else []
    return podman(*run_args(args.command, volumes=volumes), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
