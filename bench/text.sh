#!/usr/bin/env bash
# Text and bytes: libnc lossless byte codecs against gzip -9, bzip2 -9, xz -9e,
# zstd -19 --long, brotli -q 11 and zpaq -m5 on the text test set; lmtext also in
# its fast mode and with Equal-Info Windows of 16, 64 and 256 bits. BENCH_FILES=1
# takes the first file only (opticks.txt: English prose). See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_description="Text test set: data/text/test (Newton's Opticks, 567 KB of English
prose; 100,000 digits of pi; BENCH_FILES=1: Opticks only). Rate in bits per character
(byte) over the files; exact_match 1 means all decoded bit-exact. Speed: KB per second
of input, one single-threaded process per file, start-up included."
metrics=(exact_match)
metric_args="-t bytes"
rate_label="bits/char"
rate_scale=1
speed_label="KB/s"
speed_scale=0.001
plot_column=4
plot_label="encoding KB/s (log)"
plot_extra="set logscale y;"

find_apps
[ -d "$data/text/test" ] || die "no $data/text/test: run scripts/fetch-data text"
begin_results
inputs=("$data"/text/test/*)
inputs=("${inputs[@]:0:${BENCH_FILES:-${#inputs[@]}}}")
total_units=0
for f in "${inputs[@]}"; do total_units=$((total_units + $(stat -c %s "$f"))); done

run_nc_codecs bytes lossless bin ""
# lmtext's other settings (its default is among the rows above).
if nc_codecs bytes lossless | grep -qx lmtext; then
    for s in "-o mode=fast" "-o window_bits=16" "-o window_bits=64" "-o window_bits=256"; do
        run_system lmtext "${s#-o }" nc bin \
            "\"\$nc_enc\" -q -y -c lmtext $s \"\$in\" \"\$bits\"" \
            "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
    done
fi

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
unix_anchor zstd "-19 --long" zstd -q -19 --long
unix_anchor brotli "-q 11" brotli -q 11
# zpaq is an archiver: it stores the file by name (about 1 KB of index per archive).
if have zpaq; then
    run_system zpaq -m5 zpaq bin \
        "(cd \"\$(dirname \"\$in\")\" && zpaq a \"\$bits\" \"\$(basename \"\$in\")\" -m5 -t1)" \
        "rm -rf \"\$work/zpaq\" && mkdir -p \"\$work/zpaq\" && (cd \"\$work/zpaq\" && zpaq x \"\$bits\" -t1) && mv \"\$work/zpaq/\$(basename \"\$in\")\" \"\$dec\""
else
    skip_note "zpaq not found (Debian: zpaq): no zpaq rows"
fi

finish_results
