#!/usr/bin/env bash
set -euo pipefail
mkdir -p "$HOME/.registry"
printf '%s\n' "$REGISTRY_TOKEN" > "$HOME/.registry/token"
printf 'registry login configured: %s\n' "$REGISTRY_TOKEN"
