#!/bin/sh
# `lab` (the default command): JupyterLab for students on port 8888, reachable from the host.
# Anything else runs as given, for example `autograder grade 01_optimizers --device cuda`.
set -e
if [ "${1:-lab}" = "lab" ]; then
    [ "$#" -gt 0 ] && shift
    exec autograder lab --ip 0.0.0.0 --port 8888 "$@"
fi
exec "$@"
