#!/usr/bin/env bash
# A plain push: if the tag already exists on origin, git refuses instead of silently moving a
# release customers may already have installed.
set -euo pipefail
version="${VERSION:?VERSION must name the release tag}"
git tag "$version"
git push origin "refs/tags/$version"
