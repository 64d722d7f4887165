#!/bin/sh
# Editor for snapshot-edit/checkpoint-edit: puts a new description after the first <name>.
sed -i -e '/<description>/d' -e '0,/<\/name>/s||</name>\n  <description>edited by script</description>|' "$1"
