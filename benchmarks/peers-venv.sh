#!/bin/sh
# Build the venv of the peers of `python -m bench benchmark --peers` (their pins would clash with ours).
# It reuses this project's torch, PennyLane and Lightning (same versions: the peers the issue names)
# through a .pth line, so nothing of gigabytes is downloaded twice.
# Usage: sh benchmarks/peers-venv.sh [VENV]  (default /work/peers-venv), then
#        python -m bench benchmark --peers --peers-python VENV/bin/python   (or QHEAD_PEERS_PYTHON)
set -e
venv=${1:-/work/peers-venv}
project_python=${PROJECT_PYTHON:-python}
python3 -m venv "$venv"
site=$("$project_python" -c "import site; print(site.getsitepackages()[0])")
"$venv/bin/python" -c "import site; print(site.getsitepackages()[0])" | while read -r own; do
  echo "$site" > "$own/zz-project-venv.pth"
done
"$venv/bin/pip" install -q -r "$(dirname "$0")/peers-requirements.txt"
