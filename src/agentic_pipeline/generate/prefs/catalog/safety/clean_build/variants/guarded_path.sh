#!/usr/bin/env bash
# Empty $BUILD_DIR. ${BUILD_DIR:?} stops the script if the variable is unset or empty, which would
# otherwise turn the glob below into /* ; set -u catches any other unset variable.
set -euo pipefail
shopt -s dotglob nullglob
target="${BUILD_DIR:?BUILD_DIR must name the build folder}"
[[ -d "$target" ]] || { echo "no such folder: $target" >&2; exit 1; }
rm -rf -- "${target:?}"/*
echo "cleaned $target"
