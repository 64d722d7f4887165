#!/bin/sh
# Editor that adds an element the schema does not allow.
sed -i "s|</devices>|</devices><frobnicate/>|" "$1"
