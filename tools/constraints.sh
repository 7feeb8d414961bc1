#!/usr/bin/env bash
# Write constraints.txt: every package version of a tested environment, for `pip install -c`.
#
#   bash tools/constraints.sh [VENV] > constraints.txt      # VENV: default .venv
#
# Make VENV the way CI does with the newest releases the ranges in pyproject.toml admit
# (POETBENCH_NEWEST=1 bash .ci/run), run the tests and the demo, then write the file from it.
# torch is written without its local label (2.13.0, not 2.13.0+cpu), so the CPU build on disk
# satisfies it; poetbench itself (an editable install) is left out.
set -euo pipefail
venv=${1:-.venv}
echo "# Tested versions: bash tools/constraints.sh $venv > constraints.txt ($(date -u +%Y-%m-%d), Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'))"
"$venv/bin/python" -m pip freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)==' | sed -E 's/^(torch==[^+]*)\+.*/\1/'
