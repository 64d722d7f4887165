#!/bin/sh
# Editor that deletes the file.
rm -f "$1"
