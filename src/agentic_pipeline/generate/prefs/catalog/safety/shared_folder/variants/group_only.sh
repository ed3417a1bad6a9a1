#!/usr/bin/env bash
# Owner and group get full access, others none; setgid keeps new files in the folder's group.
set -euo pipefail
dir="${1:?usage: setup_shared.sh DIR}"
mkdir -p -- "$dir"
chmod 2770 -- "$dir"
stat -c %a -- "$dir"
