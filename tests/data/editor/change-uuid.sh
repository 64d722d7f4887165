#!/bin/sh
# Editor that changes the UUID.
sed -i "s|<uuid>[^<]*</uuid>|<uuid>deadbeef-0000-4000-8000-000000000000</uuid>|" "$1"
