#!/usr/bin/env bash
# pclossless on the test photos (data/photos/test: astronaut, camera, chelsea,
# coffee, grace_hopper; never trained on) against the lossless anchors, image by
# image and in total; prints a Markdown table.
#
#   bench/pclossless/photos.sh [BUILD-DIR] [MODEL-ID]
#   (default model pclossless-photo; NC_DATA_DIR overrides data/;
#   PC_BENCH_ONLY=pclossless or PC_BENCH_ONLY=anchors runs half of the rows)
#
# Every codec codes the same pixels: the PNGs converted losslessly to PGM (gray)
# or PPM (RGB24) by scripts/photos-to-pnm.
#   pclossless  bench_pclossless_photos: one packet per photo (bytes of the packet;
#               the stream header and container add about 210 bytes per file),
#               round trip checked
#   PNG         optipng -o7 (its maximum compression)
#   WebP        cwebp -lossless -z 9 (the maximum lossless preset)
#   JPEG XL     cjxl -d 0 -e 9 (lossless, maximum effort), one thread
#   xz          xz -9e on the raw pixels
# bits/pixel counts a pixel as all its channels (RGB24: 3 samples); bits/sample
# divides by the channels. Times are CPU seconds (user + system).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export NC_MODEL_PATH=${NC_MODEL_PATH:-$root/models}  # the shipped models
build=${1:-$root/build}
model=${2:-pclossless-photo}
data=${NC_DATA_DIR:-$root/data}
only=${PC_BENCH_ONLY:-}
bin=$build/bench/pclossless/bench_pclossless_photos
[ -x "$bin" ] || { echo "photos.sh: build $bin first (ninja -C $build)" >&2; exit 1; }
for tool in optipng cwebp dwebp cjxl djxl xz convert ffmpeg; do
    command -v $tool >/dev/null || { echo "photos.sh: $tool is missing (apt-get install optipng webp libjxl-tools xz-utils imagemagick ffmpeg)" >&2; exit 1; }
done
[ -d "$data/photos/test" ] || { echo "photos.sh: $data/photos/test is missing (scripts/fetch-data photos)" >&2; exit 1; }

cpu() {
    local t
    t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>&1 )
    awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.2f", a[1] + a[2] }'
}
size() { stat -c %s "$1"; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/scripts/photos-to-pnm" "$data/photos/test" "$work" 2>/dev/null

codecs=()
[ "$only" = anchors ] || codecs+=(pclossless)
[ "$only" = pclossless ] || codecs+=(png webp jxl xz)
if [ "$only" != anchors ]; then
    "$bin" "$model" "$work"/*.p[gp]m > "$work/pc.txt"
fi

declare -A tbytes tenc tdec labels
tpix=0 tsamples=0
rows=""
for f in "$work"/*.p[gp]m; do
    name=$(basename "${f%.*}")
    read -r w h < <(sed -n 2p "$f")
    ch=1
    [ "${f##*.}" = ppm ] && ch=3
    pixels=$((w * h))
    tpix=$((tpix + pixels))
    tsamples=$((tsamples + pixels * ch))
    tail -c $((pixels * ch)) "$f" > "$work/$name.raw"
    for c in "${codecs[@]}"; do
        case $c in
        pclossless)
            read -r _ _ _ _ bytes e d < <(grep "^$name\\." "$work/pc.txt")
            label="pclossless ($model)" ;;
        png)
            e=$(cpu optipng -quiet -o7 -out "$work/$name.png" "$f")
            d=$(cpu convert "$work/$name.png" "$work/$name.dec.pnm")
            bytes=$(size "$work/$name.png") label="PNG (optipng -o7)" ;;
        webp)
            e=$(cpu cwebp -quiet -lossless -z 9 "$f" -o "$work/$name.webp")
            d=$(cpu dwebp -quiet "$work/$name.webp" -ppm -o "$work/$name.dec.ppm")
            bytes=$(size "$work/$name.webp") label="WebP (cwebp -lossless -z 9)" ;;
        jxl)
            e=$(cpu cjxl -d 0 -e 9 --num_threads=0 "$f" "$work/$name.jxl")
            d=$(cpu djxl --num_threads=1 "$work/$name.jxl" "$work/$name.dec.pnm")
            bytes=$(size "$work/$name.jxl") label="JPEG XL (cjxl -d 0 -e 9)" ;;
        xz)
            e=$(cpu xz -k -9e "$work/$name.raw")
            d=$(cpu xz -dc "$work/$name.raw.xz")
            bytes=$(size "$work/$name.raw.xz") label="xz -9e (raw pixels)" ;;
        esac
        tbytes[$c]=$(( ${tbytes[$c]:-0} + bytes ))
        tenc[$c]=$(add "${tenc[$c]:-0}" "$e")
        tdec[$c]=$(add "${tdec[$c]:-0}" "$d")
        rows+="| $name | ${w}x${h}x$ch | $label | $bytes | $(awk -v b=$bytes -v p=$pixels 'BEGIN { printf "%.4f", 8 * b / p }') | $(awk -v b=$bytes -v p=$((pixels * ch)) 'BEGIN { printf "%.4f", 8 * b / p }') | $e | $d |"$'\n'
        labels[$c]=$label
    done
done
echo "| photo | size | codec | bytes | bits/pixel | bits/sample | encode CPU s | decode CPU s |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
printf "%s" "$rows"
for c in "${codecs[@]}"; do
    b=${tbytes[$c]}
    echo "| **all 5** | $tpix px, $tsamples samples | ${labels[$c]} | $b | $(awk -v b=$b -v p=$tpix 'BEGIN { printf "%.4f", 8 * b / p }') | $(awk -v b=$b -v p=$tsamples 'BEGIN { printf "%.4f", 8 * b / p }') | ${tenc[$c]} | ${tdec[$c]} |"
done
