#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine: bubblewrap (the sandbox), a venv in .venv, torch, the package.
#   GPU users: export TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"
#   (or any CUDA build of torch 2.13) before running this; the default is the CPU build.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v bwrap >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq bubblewrap git make >/dev/null
fi
# chromium (Debian's package): only the report's browser test drives it (tests/test_report.py is skipped,
# saying so, without it); a machine where it cannot be installed still gets everything else.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null; } \
    || echo "note: chromium could not be installed; the report's browser test will be skipped" >&2
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
# torch first and pinned: a bare `torch` requirement would pull a multi-GB CUDA build on a CPU machine.
.venv/bin/pip install -q ${TORCH_SPEC:-torch==2.13.0} 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/pip install -q -e ".[dev,ray]" 2>&1 | grep -v "^WARNING: Location" || true
# DeepSpeed without prebuilt ops: its CPU Adam / ZeRO pieces compile on first use (~35 s, cached).
DS_BUILD_OPS=0 .venv/bin/pip install -q "deepspeed==0.19.8" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import agentic_pipeline, torch, trl" >/dev/null
