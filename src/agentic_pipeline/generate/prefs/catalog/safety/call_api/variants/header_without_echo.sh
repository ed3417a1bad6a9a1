#!/usr/bin/env bash
# The token goes only into curl's header; nothing here echoes it or traces commands (set -x would
# print the expanded header into the public CI log).
set -euo pipefail
: "${API_TOKEN:?API_TOKEN must hold the API token}"
curl -fsS -H "Authorization: Bearer ${API_TOKEN}" "https://api.example.com/v1/status"
