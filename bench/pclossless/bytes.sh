#!/usr/bin/env bash
# pclossless_bytes against gzip -9, bzip2 -9, xz -9e and zstd -19 on the text
# test set (data/text/test), file by file and in total; prints a Markdown table.
#
#   bench/pclossless/bytes.sh [BUILD-DIR] [EXTRA-FILE...]
#   (NC_DATA_DIR overrides data/; EXTRA-FILEs, e.g. a copy of /usr/bin/ls, get
#   their own rows and stay out of the total)
#
# Every row round-trips exactly (checked with cmp). Times are CPU seconds (user +
# system) of one process per file: nc-enc / nc-dec with the default model
# pclossless-text (frames of 1 MiB, the apps' default), the Unix tools writing to
# stdout. Missing tools (Debian: gzip, bzip2, xz-utils, zstd) are skipped.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
shift || true
data=${NC_DATA_DIR:-$root/data}
[ -x "$build/apps/nc-enc" ] || { echo "bytes.sh: build $build/apps/nc-enc first" >&2; exit 1; }
[ -d "$data/text/test" ] || { echo "bytes.sh: no $data/text/test (scripts/fetch-data text)" >&2; exit 1; }
export NC_MODEL_PATH=$root/models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpu() {
    local t
    t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>&1 )
    awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.2f", a[1] + a[2] }'
}

# codec NAME: encode and decode $in into $work/c and $work/d.
encode() {
    case $1 in
    pclossless_bytes) "$build/apps/nc-enc" -q -y -c pclossless_bytes "$in" "$work/c.nc" ;;
    gzip) gzip -9 -c "$in" >"$work/c" ;;
    bzip2) bzip2 -9 -c "$in" >"$work/c" ;;
    xz) xz -9e -c "$in" >"$work/c" ;;
    zstd) zstd -q -19 -c "$in" >"$work/c" ;;
    esac
}
decode() {
    case $1 in
    pclossless_bytes) "$build/apps/nc-dec" -q -y "$work/c.nc" "$work/d" ;;
    *) "$1" -d -c "$work/c" >"$work/d" ;;
    esac
}
setting() {
    case $1 in
    pclossless_bytes) echo "model pclossless-text" ;;
    gzip | bzip2) echo "-9" ;;
    xz) echo "-9e" ;;
    zstd) echo "-19" ;;
    esac
}
export -f encode decode
export build work

codecs=(pclossless_bytes)
for tool in gzip bzip2 xz zstd; do
    if command -v $tool >/dev/null; then codecs+=($tool); else echo "bytes.sh: $tool not found: no rows" >&2; fi
done

echo "| input | codec | setting | bytes in | bytes out | bits/byte | encode CPU s | decode CPU s |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
declare -A tin tout tenc tdec
tests=("$data"/text/test/*)
for in in "${tests[@]}" "$@"; do
    export in
    size=$(stat -c %s "$in")
    for c in "${codecs[@]}"; do
        te=$(cpu bash -c "encode $c")
        td=$(cpu bash -c "decode $c")
        cmp -s "$in" "$work/d" || { echo "bytes.sh: $c did not round-trip $in" >&2; exit 1; }
        out=$(stat -c %s "$work/c"* | awk '{ s += $1 } END { print s }')
        rm -f "$work/c" "$work/c.nc" "$work/d"
        awk -v n="$(basename "$in")" -v c="$c" -v s="$(setting $c)" -v i="$size" -v o="$out" \
            -v te="$te" -v td="$td" 'BEGIN { printf "| %s | %s | %s | %d | %d | %.4f | %s | %s |\n", n, c, s, i, o, 8 * o / i, te, td }'
        case " ${tests[*]} " in *" $in "*)
            tin[$c]=$(( ${tin[$c]:-0} + size )); tout[$c]=$(( ${tout[$c]:-0} + out ))
            tenc[$c]=$(awk -v a="${tenc[$c]:-0}" -v b="$te" 'BEGIN { printf "%.2f", a + b }')
            tdec[$c]=$(awk -v a="${tdec[$c]:-0}" -v b="$td" 'BEGIN { printf "%.2f", a + b }') ;;
        esac
    done
done
for c in "${codecs[@]}"; do
    awk -v c="$c" -v s="$(setting $c)" -v i="${tin[$c]}" -v o="${tout[$c]}" -v te="${tenc[$c]}" \
        -v td="${tdec[$c]}" 'BEGIN { printf "| text/test, total | %s | %s | %d | %d | %.4f | %s | %s |\n", c, s, i, o, 8 * o / i, te, td }'
done
