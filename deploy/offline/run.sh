#!/bin/sh
# 启动看板（先运行 ./install.sh）。 Start the dashboard (after ./install.sh).
#
#     ./run.sh                               # http://localhost:8501
#     ADDRESS=0.0.0.0 PORT=8080 ./run.sh     # 对内网开放 · open to the intranet
set -eu
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  echo "!!! 请先运行 ./install.sh。 Run ./install.sh first." >&2
  exit 1
fi
exec .venv/bin/python serve.py dashboard.py --server.address "${ADDRESS:-localhost}" --server.port "${PORT:-8501}" \
  --server.headless true "$@"
