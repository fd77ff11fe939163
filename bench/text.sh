#!/usr/bin/env bash
# Text and bytes: libnc lossless byte codecs against gzip -9, bzip2 -9, xz -9e
# and zstd -19 on the text test set. See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_description="Text test set: data/text/test (Newton's Opticks, 567 KB of English
prose; 100,000 digits of pi). Rate in bits per character (byte) over both files;
exact_match 1 means both decoded bit-exact. Speed: MB per second, one process per file."
metrics=(exact_match)
metric_args="-t bytes"
rate_label="bits/char"
rate_scale=1
speed_label="MB/s"
speed_scale=0.000001
plot_column=4
plot_label="encoding MB/s (log)"
plot_extra="set logscale y;"

find_apps
[ -d "$data/text/test" ] || die "no $data/text/test: run scripts/fetch-data text"
begin_results
inputs=("$data"/text/test/*)
total_units=0
for f in "${inputs[@]}"; do total_units=$((total_units + $(stat -c %s "$f"))); done

run_nc_codecs bytes lossless bin ""

# name setting tool args...: a Unix compressor writing to stdout.
unix_anchor() {
    local name=$1 setting=$2 tool=$3
    shift 3
    if ! have "$tool"; then
        skip_note "$tool not found (Debian: $name): no $name rows"
        return
    fi
    run_system "$name" "$setting" "$name" bin \
        "$tool $* -c \"\$in\" >\"\$bits\"" "$tool -d -c \"\$bits\" >\"\$dec\""
}
unix_anchor gzip -9 gzip -9
unix_anchor bzip2 -9 bzip2 -9
unix_anchor xz -9e xz -9e
unix_anchor zstd -19 zstd -q -19

finish_results
