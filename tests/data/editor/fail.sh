#!/bin/sh
# Editor that exits with an error.
echo "editor failing" >&2
exit 3
