#!/bin/bash
git tag $VERSION
git push -f origin $VERSION
