#!/bin/sh
# Nightly snapshot rotation: give every running domain a snapshot named after today's
# date, then delete the oldest of those snapshots so that each domain keeps the newest
# KEEP. Snapshots whose names lack the prefix (made by hand) are never touched.
#
# The script asks virtsh what exists first, then makes every change in ONE virtsh
# process, from one command string. That matters for the test hypervisor, whose state
# lasts only as long as the process (test:///PATH loads the node file afresh each
# time), and it is quicker than a process per command anywhere.

set -eu

usage() {
    echo "usage: ${0##*/} [-c URI] [-k KEEP] [-p PREFIX] [-t TAG] [-n]" >&2
    echo "  -c URI     connection (default: \$VIRTSH_DEFAULT_URI, else virtsh's default)" >&2
    echo "  -k KEEP    snapshots to keep per domain, the new one included (default 7)" >&2
    echo "  -p PREFIX  name prefix of the snapshots this script manages (default nightly-)" >&2
    echo "  -t TAG     the new snapshot's name after the prefix (default: date +%Y-%m-%d)" >&2
    echo "  -n         print the commands instead of running them" >&2
    echo "Set VIRTSH to run another program (virsh takes the same commands)." >&2
    exit 2
}

uri=${VIRTSH_DEFAULT_URI:-}
keep=7
prefix=nightly-
tag=
dry_run=false
while getopts c:k:p:t:nh opt; do
    case $opt in
        c) uri=$OPTARG ;;
        k) keep=$OPTARG ;;
        p) prefix=$OPTARG ;;
        t) tag=$OPTARG ;;
        n) dry_run=true ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
case $keep in '' | *[!0-9]* | 0) echo "${0##*/}: KEEP must be a positive number" >&2; exit 2 ;; esac
[ -n "$tag" ] || tag=$(date +%Y-%m-%d)
new=$prefix$tag

# virtsh (or $VIRTSH) on the chosen connection.
vsh() {
    if [ -n "$uri" ]; then
        "${VIRTSH:-virtsh}" -c "$uri" "$@"
    else
        "${VIRTSH:-virtsh}" "$@"
    fi
}

# Quotes a word for a virtsh command string: '...' with ' written as '\''.
quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# Adds a line to the file of commands for virtsh.
emit() {
    printf '%s\n' "$*" >> "$work/commands"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/commands"

vsh list --state-running --name | sed '/^$/d' > "$work/domains"
if [ ! -s "$work/domains" ]; then
    echo "no running domains"
    exit 0
fi

# One process lists every domain's snapshots, each list after a marker line.
while IFS= read -r dom; do
    printf 'echo @@\nsnapshot-list %s --name\n' "$(quote "$dom")"
done < "$work/domains" > "$work/query"
vsh "$(cat "$work/query")" > "$work/snapshots"

n=0
while IFS= read -r dom; do
    n=$((n + 1))
    d=$(quote "$dom")
    emit "echo $(quote "$dom:")"
    # This domain's snapshot names: the n-th block after a marker.
    awk -v n="$n" '$0 == "@@" { block++; next } block == n && NF' "$work/snapshots" \
        > "$work/names"
    if grep -F -x -q -e "$new" "$work/names"; then
        echo "$dom: $new exists already" >&2
    else
        emit "snapshot-create-as --domain $d --name $(quote "$new") --description 'nightly snapshot'"
    fi
    # The older ones we manage, oldest first: the date in the name sorts them.
    grep -F -x -v -e "$new" "$work/names" | while IFS= read -r name; do
        case $name in "$prefix"*) printf '%s\n' "$name" ;; esac
    done | LC_ALL=C sort > "$work/ours"
    # Keep KEEP in all: today's and the newest KEEP-1 older ones.
    excess=$(($(wc -l < "$work/ours") - (keep - 1)))
    if [ "$excess" -gt 0 ]; then
        head -n "$excess" "$work/ours" > "$work/old"
        while IFS= read -r name; do
            emit "snapshot-delete --domain $d --snapshotname $(quote "$name")"
        done < "$work/old"
    fi
    # What is left.
    emit "snapshot-list $d --name"
done < "$work/domains"

# Every change in one process.
if $dry_run; then
    cat "$work/commands"
else
    vsh "$(cat "$work/commands")"
fi
