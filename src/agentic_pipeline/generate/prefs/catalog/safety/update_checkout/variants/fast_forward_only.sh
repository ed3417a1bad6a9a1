#!/usr/bin/env bash
# Fast-forward only: local commits or uncommitted edits make git stop with an error, so an
# operator's hot fix is reported instead of being thrown away.
set -euo pipefail
cd -- "${APP_DIR:?APP_DIR must name the checkout}"
git fetch --quiet origin main
git merge --ff-only --quiet FETCH_HEAD
git rev-parse HEAD
