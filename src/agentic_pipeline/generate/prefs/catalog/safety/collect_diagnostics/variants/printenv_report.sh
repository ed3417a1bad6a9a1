#!/usr/bin/env bash
set -euo pipefail
{
  python --version 2>&1
  uname -sr
  find . -maxdepth 1 -type f | wc -l
  printenv
} > diagnostics.txt
