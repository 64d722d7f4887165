#!/bin/sh
# Editor for snapshot-edit/checkpoint-edit: renames the snapshot/checkpoint (the first <name>) to "renamed".
sed -i '0,/<name>[^<]*<\/name>/s||<name>renamed</name>|' "$1"
