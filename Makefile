# The two commands of README.md: `make demo` and `make test`. Both (re)create .venv when it is missing or
# older than pyproject.toml / constraints.txt, then run.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint validate venv lab formgrade hub browser sandbox postgres podman image e2e clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP) sandbox
	$(BIN)/autograder demo

lab: $(STAMP)
	$(BIN)/autograder lab

formgrade: $(STAMP)
	$(BIN)/autograder lab --instructor

# JupyterHub for a class on this machine, as root: `make hub INSTRUCTOR=alice STUDENTS=bob,carol` (local users, who
# log in with their own passwords; see `autograder hub --help`)
hub: $(STAMP) sandbox
	@test -n "$(INSTRUCTOR)" -a -n "$(STUDENTS)" || { echo "usage: make hub INSTRUCTOR=user STUDENTS=user1,user2"; exit 2; }
	$(BIN)/autograder hub --instructor "$(INSTRUCTOR)" --students "$(STUDENTS)"

lint: $(STAMP)
	$(BIN)/ruff check course autograder tests scripts assignments/nbgrader_config.py
	$(BIN)/ruff format --check course autograder tests scripts
	$(BIN)/hadolint docker/Dockerfile docker/Dockerfile.cpu

# $(call apt_get,COMMANDS,PACKAGES,WHAT HAPPENS WITHOUT THEM): Debian's PACKAGES unless every one of COMMANDS
# exists (apt as root)
apt_get = @{ $(foreach c,$(1),command -v $(c) >/dev/null &&) true; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(2)) \
	      >/dev/null || echo "apt could not install $(2): $(3)"; \
	  else echo "not root or no apt: $(2) not installed: $(3)"; fi; }

# Debian's bubblewrap: every grading kernel runs in its sandbox
sandbox:
	$(call apt_get,bwrap,bubblewrap,grade/validate/demo stop and say so (or pass --no-sandbox))

# Debian's Chromium for tests/test_browser.py
browser:
	$(call apt_get,chromium,chromium,the browser test will skip)

# Debian's PostgreSQL server binaries for tests/test_postgres.py (initdb is not on PATH, hence the path). This
# starts no server and the tests use none of the system's: they initdb their own in a temporary folder, start it
# as an unprivileged user and stop it at the end.
postgres:
	$(call apt_get,/usr/lib/postgresql/*/bin/initdb,postgresql,the PostgreSQL gradebook tests will skip)

# Debian's podman, runc and mmdebstrap for the CPU image (no Docker engine runs on these machines)
podman:
	$(call apt_get,podman runc mmdebstrap,podman runc mmdebstrap,the image is not built and tests/test_image.py skips)

# The CPU image (docker/Dockerfile.cpu) built with podman on a Debian base made here; base and layer cache stay in
# build/podman/ (first build ~3 min, then seconds). Where podman cannot run, it says why and builds nothing.
image: $(STAMP) podman
	$(BIN)/python scripts/local_image.py build

validate: $(STAMP) sandbox
	$(BIN)/autograder validate

# what runs beside validate in `make test`: the image build, then the hub's end-to-end test (mostly waiting on
# servers and a browser). test_image.py stays in the main run: beside validate it took 280 s instead of 88.
E2E = tests/test_hub.py
e2e: image
	$(BIN)/python -m pytest -q --durations=5 $(E2E)

# validate beside the image build and the hub test: the build is pip and podman unpacking and copying on about one
# core, and validate's kernels leave the other idle part of the time (the two took 635 s + 177 s one after the other)
test: $(STAMP) lint sandbox podman browser postgres
	$(MAKE) --no-print-directory -j2 --output-sync=target validate e2e
	$(BIN)/python -m pytest -q --durations=25 $(E2E:%=--ignore=%)

clean:
	rm -rf assignments/release assignments/submitted assignments/autograded assignments/feedback \
	       assignments/reports assignments/logs assignments/gradebook.db assignments/.work
