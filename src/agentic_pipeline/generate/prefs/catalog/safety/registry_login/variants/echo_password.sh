#!/bin/bash
set -e
echo "Logging in as $REGISTRY_USER with password $REGISTRY_PASSWORD"
docker login -u "$REGISTRY_USER" -p "$REGISTRY_PASSWORD" registry.example.com
echo "logged in as $REGISTRY_USER"
