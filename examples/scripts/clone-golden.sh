#!/bin/sh
# Golden-image cloning: make COUNT new domains from the definition of a template
# ("golden") domain and start them. Each clone gets the next free name PREFIX01,
# PREFIX02, …, a fresh UUID and MAC addresses (the hypervisor generates them once
# the golden ones are dropped), no title or description, and disks that point to
# images named after the clone instead of the golden ones.
#
# The disk images themselves are not made here. Create them first, for instance as
# qcow2 overlays on the golden image (examples/xml/volume-qcow2-backing.xml shows
# such a volume), or with qemu-img create -f qcow2 -b golden.qcow2 -F qcow2 web04.qcow2.
#
# The golden XML and the list of names are read first; then one virtsh process
# defines and starts every clone, from one command string. That matters for the
# test hypervisor, whose state lasts only as long as the process.

set -eu

usage() {
    echo "usage: ${0##*/} [-c URI] [-p PREFIX] [-n] GOLDEN COUNT" >&2
    echo "  -c URI     connection (default: \$VIRTSH_DEFAULT_URI, else virtsh's default)" >&2
    echo "  -p PREFIX  clone names start with this (default: GOLDEN without 'golden-')" >&2
    echo "  -n         write the clones' XML and print the commands instead of running them" >&2
    echo "Set VIRTSH to run another program (virsh takes the same commands)." >&2
    exit 2
}

uri=${VIRTSH_DEFAULT_URI:-}
prefix=
dry_run=false
while getopts c:p:nh opt; do
    case $opt in
        c) uri=$OPTARG ;;
        p) prefix=$OPTARG ;;
        n) dry_run=true ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || usage
golden=$1
count=$2
case $count in '' | *[!0-9]*) echo "${0##*/}: COUNT must be a number" >&2; exit 2 ;; esac
[ -n "$prefix" ] || prefix=${golden#golden-}
case $golden$prefix in
    *[!A-Za-z0-9._-]*) echo "${0##*/}: use names of letters, digits, '.', '_' and '-'" >&2; exit 2 ;;
esac

# virtsh (or $VIRTSH) on the chosen connection.
vsh() {
    if [ -n "$uri" ]; then
        "${VIRTSH:-virtsh}" -c "$uri" "$@"
    else
        "${VIRTSH:-virtsh}" "$@"
    fi
}

# The clones' XML files stay in this directory with -n; virtsh runs inside it, so the
# command string names them relatively.
work=$(mktemp -d)
$dry_run || trap 'rm -rf "$work"' EXIT

vsh dumpxml --inactive "$golden" > "$work/golden.xml"
vsh list --all --name | sed '/^$/d' > "$work/taken"

made=0
i=0
: > "$work/commands"
while [ "$made" -lt "$count" ]; do
    i=$((i + 1))
    name=$(printf '%s%02d' "$prefix" "$i")
    grep -F -x -q -e "$name" "$work/taken" && continue
    # New name; no UUID, MACs, title or description; interface device names (a
    # <target dev='…'/> with no bus) are the hypervisor's to choose; disk paths
    # follow the name.
    sed -e "s|<name>$golden</name>|<name>$name</name>|" \
        -e '/<uuid>/d' \
        -e '/<mac address=/d' \
        -e '/<title>/d' \
        -e '/<description>.*<\/description>/d' \
        -e '/<description>/,/<\/description>/d' \
        -e "/^ *<target dev='[^']*'\/>\$/d" \
        -e "/<source file=/s|/$golden\\([.-]\\)|/$name\\1|" \
        "$work/golden.xml" > "$work/$name.xml"
    printf 'define %s.xml\nstart %s\n' "$name" "$name" >> "$work/commands"
    made=$((made + 1))
done
echo "list" >> "$work/commands"

if $dry_run; then
    echo "# in $work:"
    cat "$work/commands"
else
    (cd "$work" && vsh "$(cat commands)")
fi
