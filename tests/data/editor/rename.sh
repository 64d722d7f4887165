#!/bin/sh
# Editor that renames the domain to "renamed".
sed -i "s|<name>[^<]*</name>|<name>renamed</name>|" "$1"
