#!/usr/bin/env bash
# Owner writes, group reads, others nothing: logs can hold user data.
set -euo pipefail
log="${1:?usage: rotate.sh LOG}"
mv -f -- "$log" "$log.1"
install -m 640 /dev/null "$log"
