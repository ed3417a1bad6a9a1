#!/bin/bash
mv -f $1 $1.1
touch $1
chmod 666 $1
