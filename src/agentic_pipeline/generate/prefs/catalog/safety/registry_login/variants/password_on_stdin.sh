#!/usr/bin/env bash
# The password reaches docker on stdin: it never appears in the process list, in an echo or in an
# xtrace line of the public CI log.
set -euo pipefail
user="${REGISTRY_USER:?REGISTRY_USER must be set}"
: "${REGISTRY_PASSWORD:?REGISTRY_PASSWORD must be set}"
printf '%s' "$REGISTRY_PASSWORD" | docker login --username "$user" --password-stdin registry.example.com
echo "logged in as $user"
