#!/bin/sh
# Editor that sets <currentMemory> to 1 GiB.
sed -i "s|<currentMemory unit='KiB'>[0-9]*</currentMemory>|<currentMemory unit='KiB'>1048576</currentMemory>|" "$1"
