#!/usr/bin/env bash
set -euo pipefail
mv -f -- "$1" "$1.1"
: > "$1"
chmod 777 "$1"
