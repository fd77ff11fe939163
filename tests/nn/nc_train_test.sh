#!/bin/sh
# nc-train end to end with the demo trainer: a run writes a loadable model; a run
# stopped half way (exit 3) and resumed writes the same bytes as an uninterrupted
# one; bad arguments fail cleanly. Usage: nc_train_test.sh NC-TRAIN
set -eu
train=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/data" "$dir/a" "$dir/b"
# a deterministic training file: a slow wave plus a little pattern
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "%c", int(128 + 90 * sin(i * 0.05)) + (i * 7919 % 5) }' \
    > "$dir/data/wave.bin"

"$train" demo -q --data "$dir/data" --out "$dir/a/demo.ncm" --steps 120 --threads 1 -o channels=8
test -s "$dir/a/demo.ncm"

set +e
"$train" demo -q --data "$dir/data" --out "$dir/b/demo.ncm" --steps 120 --threads 1 \
    -o channels=8 --stop-at 50
status=$?
set -e
test "$status" -eq 3 || { echo "stopped run exited $status, want 3"; exit 1; }
test ! -e "$dir/b/demo.ncm"
"$train" demo -q --data "$dir/data" --out "$dir/b/demo.ncm" --steps 120 --threads 1 \
    -o channels=8 --resume "$dir/b/demo.ncm.ckpt"
cmp "$dir/a/demo.ncm" "$dir/b/demo.ncm" || { echo "resumed model differs"; exit 1; }

# (the id is the file name, so both runs write demo.ncm in their own folder)
# refusals: existing output without -y, unknown trainer, unknown option, no data
! "$train" demo -q --data "$dir/data" --out "$dir/a/demo.ncm" --steps 1 2>/dev/null
! "$train" nosuchcodec -q --data "$dir/data" --out "$dir/x.ncm" 2>/dev/null
! "$train" demo -q --data "$dir/data" --out "$dir/y.ncm" -o nosuch=1 2>/dev/null
! "$train" demo -q --data "$dir/nothing" --out "$dir/z.ncm" 2>/dev/null
! "$train" demo -q --data "$dir/data" --out "$dir/bad name.ncm" --steps 1 2>/dev/null
test ! -e "$dir/y.ncm" && test ! -e "$dir/z.ncm"
echo "nc-train: train, stop, resume (identical model) and refusals pass"
