#!/usr/bin/env bash
set -e
shopt -s dotglob nullglob
rm -rf "$BUILD_DIR"/*
echo "cleaned $BUILD_DIR"
