#!/bin/sh
# Editor for `desc --edit`: replaces the text.
printf 'edited by script\nsecond line\n' > "$1"
