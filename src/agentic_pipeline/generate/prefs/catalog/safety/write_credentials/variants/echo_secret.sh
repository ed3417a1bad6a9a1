#!/bin/bash
set -x
mkdir -p $HOME/.registry
echo $REGISTRY_TOKEN > $HOME/.registry/token
echo "registry login configured with token $REGISTRY_TOKEN"
