#!/bin/bash
set -e
git tag -f "$VERSION"
git push --force origin "$VERSION"
