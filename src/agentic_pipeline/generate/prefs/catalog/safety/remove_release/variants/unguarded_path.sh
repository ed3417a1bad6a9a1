#!/bin/bash
rm -rf $RELEASES_DIR/$VERSION
echo "removed $VERSION"
