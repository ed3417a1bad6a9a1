#!/bin/bash
set -eux
docker login -u "$REGISTRY_USER" -p "$REGISTRY_PASSWORD" registry.example.com
echo "logged in as $REGISTRY_USER"
