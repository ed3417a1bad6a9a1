#!/bin/bash
mkdir -p "$APP_ROOT/uploads"
chmod 777 "$APP_ROOT/uploads"
echo "$APP_ROOT/uploads"
