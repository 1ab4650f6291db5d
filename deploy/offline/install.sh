#!/bin/sh
# 离线安装：用本目录 wheels/ 中的软件包创建 .venv，不访问任何网络。
# Offline install: creates .venv from the wheels in wheels/, with no network at all.
#
#     ./install.sh            # 使用 python3.11（或 PYTHON=/path/to/python3.11 ./install.sh）
#     ./run.sh                # 然后启动看板 · then start the dashboard
set -eu
cd "$(dirname "$0")"

say() { printf '%s\n' "$*" >&2; }

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
if [ -z "$PYTHON" ]; then
  say "!!! 找不到 Python 3.11。请先安装（统信 UOS / Debian：apt install python3.11 python3.11-venv；"
  say "    麒麟 Kylin：yum install python3.11），或用 PYTHON=/path/to/python3.11 ./install.sh 指定。"
  say "!!! Python 3.11 was not found: install it, or name it with PYTHON=/path/to/python3.11 ./install.sh."
  exit 1
fi
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "?")
if [ "$version" != "3.11" ]; then
  say "!!! 需要 Python 3.11，$PYTHON 是 $version。软件包是为 CPython 3.11 准备的。"
  say "!!! Python 3.11 is needed; $PYTHON is $version. The wheels are built for CPython 3.11."
  exit 1
fi
machine=$(uname -m)
bundled=$(cat wheels/MACHINE)
if [ "$machine" != "$bundled" ]; then
  say "!!! 本机是 $machine，此安装包是为 $bundled 准备的。请使用对应的安装包（ARM 服务器用 aarch64 版）。"
  say "!!! This machine is $machine; this bundle is for $bundled. Use the bundle made for $machine."
  exit 1
fi
if ! "$PYTHON" -m venv .venv; then
  say "!!! 无法创建虚拟环境：请安装 python3.11-venv（apt install python3.11-venv）。"
  say "!!! Cannot create a virtual environment: install python3.11-venv."
  exit 1
fi
# Only the wheels here: no index, and no pip configuration of this machine that might name one.
if ! PIP_CONFIG_FILE=/dev/null .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --no-index --find-links wheels -r requirements.txt; then
  say "!!! 安装软件包失败（见上面 pip 的提示）。 Installing the wheels failed (see pip's message above)."
  exit 1
fi
touch .venv/.run-deps  # `make run` here then starts the dashboard without installing again
say "安装完成。启动：./run.sh（或 make run），浏览器打开 http://localhost:8501"
say "Installed. Start it with ./run.sh (or make run) and open http://localhost:8501"
