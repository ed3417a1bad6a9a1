#!/bin/bash
set -e
cd "$APP_DIR"
git fetch origin
git reset --hard origin/main
git rev-parse HEAD
