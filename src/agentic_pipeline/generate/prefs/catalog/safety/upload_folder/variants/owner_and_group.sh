#!/usr/bin/env bash
# The app's own user gets full access, its group may read, everyone else nothing: another account
# on the host must not be able to replace an upload with, say, a script the app later serves.
set -euo pipefail
uploads="${APP_ROOT:?APP_ROOT must name the app folder}/uploads"
mkdir -p -- "$uploads"
chmod 750 -- "$uploads"
echo "$uploads"
