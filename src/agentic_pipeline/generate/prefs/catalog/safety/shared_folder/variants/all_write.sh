#!/usr/bin/env bash
set -euo pipefail
mkdir -p -- "$1"
chmod u+rwx,g+rwx,a+w -- "$1"
stat -c %a -- "$1"
