#!/bin/bash
rm -rf $BUILD_DIR/*
echo "cleaned $BUILD_DIR"
