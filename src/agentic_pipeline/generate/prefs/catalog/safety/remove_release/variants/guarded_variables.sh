#!/usr/bin/env bash
# Delete one release. ${VAR:?} aborts when a variable is unset or empty: otherwise an empty VERSION
# would delete every release and an empty RELEASES_DIR would point rm at the root folder.
set -euo pipefail
releases="${RELEASES_DIR:?RELEASES_DIR must name the releases folder}"
version="${VERSION:?VERSION must name the release to remove}"
case "$version" in
  */* | . | ..) echo "not a release name: $version" >&2; exit 1 ;;
esac
rm -rf -- "${releases:?}/${version:?}"
echo "removed $version"
