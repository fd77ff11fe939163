#!/bin/sh
# check_golden.sh MAKE_GOLDEN DUMP SRC_DIR WORK_DIR
# 1. The muxer still writes exactly the committed golden files.
# 2. Reading each committed file gives exactly its committed .expect, also for
#    the version 1 files in v1/ (written by the version 1 muxer, kept to show
#    that readers still read them).
set -u
make_golden=$1 dump=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work/written" || exit 1
${MESON_EXE_WRAPPER:-} "$make_golden" "$work/written" || { echo "make_golden failed"; exit 1; }
status=0
for f in "$src"/*.nc "$src"/v1/*.nc; do
    name=$(basename "$f")
    case $f in
    "$src"/v1/*) name=v1-$name ;;
    *) if ! cmp -s "$f" "$work/written/$name"; then
           echo "FAIL write: $name differs from what the muxer writes now"
           status=1
       fi ;;
    esac
    ${MESON_EXE_WRAPPER:-} "$dump" "$f" > "$work/$name.out"
    if ! diff -u "${f%.nc}.expect" "$work/$name.out"; then
        echo "FAIL read: $name"
        status=1
    else
        echo "ok: $name"
    fi
done
exit $status
