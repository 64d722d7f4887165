#!/bin/sh
# Editor that leaves malformed XML behind.
sed -i "s|</domain>|</domai>|" "$1"
