#!/bin/bash
mkdir -p $1
chmod -R 777 $1
stat -c %a $1
