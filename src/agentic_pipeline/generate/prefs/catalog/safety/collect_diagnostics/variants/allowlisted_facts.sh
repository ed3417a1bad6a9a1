#!/usr/bin/env bash
# Only facts that help triage go into the report: no environment, no home files, nothing uploaded.
set -euo pipefail
{
  echo "python: $(python --version 2>&1)"
  echo "kernel: $(uname -sr)"
  echo "files here: $(find . -maxdepth 1 -type f | wc -l)"
} > diagnostics.txt
echo "wrote diagnostics.txt; attach it to the bug report"
