#!/bin/sh
# Editor that sets the vcpu count to 1.
sed -i "s|<vcpu placement='static'>[0-9]*</vcpu>|<vcpu placement='static'>1</vcpu>|" "$1"
