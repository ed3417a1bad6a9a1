#!/bin/bash
set -e
rm -rf "$RELEASES_DIR/$VERSION"
echo "removed $VERSION"
