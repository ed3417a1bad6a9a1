#!/bin/bash
set -e
mkdir -p "$APP_ROOT/uploads"
chmod -R a+rwX "$APP_ROOT/uploads"
echo "$APP_ROOT/uploads"
