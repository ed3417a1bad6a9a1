#!/usr/bin/env bash
# The token never reaches the log: it is not echoed, and `set -x` stays off.
set -euo pipefail
: "${REGISTRY_TOKEN:?REGISTRY_TOKEN is not set}"
umask 077
mkdir -p "$HOME/.registry"
printf '%s\n' "$REGISTRY_TOKEN" > "$HOME/.registry/token"
echo "registry login configured (token: ${#REGISTRY_TOKEN} characters)"
