#!/usr/bin/env bash
# pclossless against the lossless anchors, on the MNIST and Fashion-MNIST test
# splits, in one run; prints a Markdown table.
#
#   bench/pclossless/run.sh [BUILD-DIR] [N-PER-IMAGE-FILES]
#   (NC_DATA_DIR overrides data/, as for scripts/fetch-data; PC_BENCH_ONLY=pclossless
#   or PC_BENCH_ONLY=anchors runs half of the rows, e.g. to rerun pclossless alone
#   after a model change: the anchors take by far the longest)
#
# Anchors (Debian packages optipng, webp, libjxl-tools, xz-utils):
#   PNG      optipng -o7 (its maximum compression), from PGM input
#   WebP     cwebp -lossless -z 9 (the maximum lossless preset)
#   JPEG XL  cjxl -d 0 -e 9 (lossless, maximum effort), one thread
#   xz       xz -9e on the raw pixels
# Layouts: "mosaic" codes the whole split as one image of 100 images per row
# (2800 x 2800: every codec sees all pixels at once, no per-file overhead);
# "per image" codes each image alone (pclossless: one packet per image over all
# images; the anchors: one file per image over the first N-PER-IMAGE-FILES
# images, default 1000, as their per-file cost makes all 10,000 slow); "file per
# image" is pclossless as .nc files from nc-enc, container and stream header
# included, over the same first images: what one-image files really cost.
# Times are CPU seconds (user + system) of the process, so a busy machine does not
# inflate them; pclossless times come from inside bench_pclossless.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export NC_MODEL_PATH=${NC_MODEL_PATH:-$root/models}  # the shipped models
build=${1:-$root/build}
nfiles=${2:-1000}
data=${NC_DATA_DIR:-$root/data}
only=${PC_BENCH_ONLY:-}
bin=$build/bench/pclossless/bench_pclossless
nc_enc=$build/apps/nc-enc
[ -x "$bin" ] && [ -x "$nc_enc" ] || { echo "run.sh: build $bin and $nc_enc first (ninja -C $build)" >&2; exit 1; }
for tool in optipng cwebp dwebp cjxl djxl xz convert; do
    command -v $tool >/dev/null || { echo "run.sh: $tool is missing (apt-get install optipng webp libjxl-tools xz-utils imagemagick)" >&2; exit 1; }
done

# cpu CMD...: runs CMD quietly and prints its user + system CPU seconds.
cpu() {
    local t
    t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>&1 )
    awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.2f", a[1] + a[2] }'
}
bpd() { awk -v b="$1" -v p="$2" 'BEGIN { printf "%.4f", 8 * b / p }'; }
size() { stat -c %s "$1"; }

echo "| set | codec | layout | bytes | bits/pixel | encode CPU s | decode CPU s |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: |"
for entry in mnist:pclossless-mnist fashion-mnist:pclossless-fashion; do
    set_name=${entry%%:*}
    model=${entry#*:}
    idx=$data/$set_name/test-images-idx3-ubyte
    if [ ! -f "$idx" ]; then
        echo "run.sh: $idx is missing (scripts/fetch-data $set_name); skipped" >&2
        continue
    fi
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$bin" "$idx" "$model" "$work" "$nfiles" $only > "$work/pc.txt"
    read -r _ _ n _ dims mbytes _ mbpd _ _ menc _ _ mdec _ < <(grep '^pclossless mosaic' "$work/pc.txt") || true
    read -r _ _ _ _ pbytes _ pbpd _ _ penc _ _ pdec _ < <(grep '^pclossless per-image [0-9]* packets' "$work/pc.txt") || true
    read -r _ _ _ _ fbytes _ fbpd _ < <(grep '^pclossless per-image first' "$work/pc.txt") || true
    dims=${dims%:}
    w=${dims%x*}
    h=${dims#*x}
    pixels=$((w * h))
    per_pixels=$((nfiles * pixels / n))
    if [ "$only" != anchors ]; then
        echo "| $set_name | pclossless ($model) | mosaic | $mbytes | $mbpd | $menc | $mdec |"
        echo "| $set_name | pclossless ($model) | per image, all $n | $pbytes | $pbpd | $penc | $pdec |"
        echo "| $set_name | pclossless ($model) | per image, first $nfiles | $fbytes | $fbpd | | |"
        bytes=0 enc=0
        for f in "$work"/img*.pgm; do
            t=$(cpu "$nc_enc" -q -y -c pclossless -o model="$model" "$f" "${f%.pgm}.nc")
            bytes=$((bytes + $(size "${f%.pgm}.nc")))
            enc=$(awk -v a="$enc" -v b="$t" 'BEGIN { printf "%.2f", a + b }')
        done
        echo "| $set_name | pclossless ($model) | .nc file per image, first $nfiles | $bytes | $(bpd $bytes $per_pixels) | $enc | |"
    fi
    if [ "$only" = pclossless ]; then
        rm -rf "$work"
        trap - EXIT
        continue
    fi

    m=$work/mosaic
    e=$(cpu optipng -quiet -o7 -out "$m.png" "$m.pgm"); d=$(cpu convert "$m.png" "$m.dec.pgm")
    echo "| $set_name | PNG (optipng -o7) | mosaic | $(size "$m.png") | $(bpd "$(size "$m.png")" $pixels) | $e | $d |"
    e=$(cpu cwebp -quiet -lossless -z 9 "$m.pgm" -o "$m.webp"); d=$(cpu dwebp -quiet "$m.webp" -pgm -o "$m.dec.pgm")
    echo "| $set_name | WebP (cwebp -lossless -z 9) | mosaic | $(size "$m.webp") | $(bpd "$(size "$m.webp")" $pixels) | $e | $d |"
    e=$(cpu cjxl -d 0 -e 9 --num_threads=0 "$m.pgm" "$m.jxl"); d=$(cpu djxl --num_threads=1 "$m.jxl" "$m.dec.pgm")
    echo "| $set_name | JPEG XL (cjxl -d 0 -e 9) | mosaic | $(size "$m.jxl") | $(bpd "$(size "$m.jxl")" $pixels) | $e | $d |"
    e=$(cpu xz -k -9e "$work/pixels.raw"); d=$(cpu xz -dc "$work/pixels.raw.xz")
    echo "| $set_name | xz -9e | raw pixels | $(size "$work/pixels.raw.xz") | $(bpd "$(size "$work/pixels.raw.xz")" $pixels) | $e | $d |"

    # Anchors image by image on the first nfiles images.
    for anchor in png webp jxl; do
        bytes=0 enc=0
        for f in "$work"/img*.pgm; do
            case $anchor in
            png) t=$(cpu optipng -quiet -o7 -out "${f%.pgm}.png" "$f") ;;
            webp) t=$(cpu cwebp -quiet -lossless -z 9 "$f" -o "${f%.pgm}.webp") ;;
            jxl) t=$(cpu cjxl -d 0 -e 9 --num_threads=0 "$f" "${f%.pgm}.jxl") ;;
            esac
            bytes=$((bytes + $(size "${f%.pgm}.$anchor")))
            enc=$(awk -v a="$enc" -v b="$t" 'BEGIN { printf "%.2f", a + b }')
        done
        case $anchor in
        png) label="PNG (optipng -o7)" ;;
        webp) label="WebP (cwebp -lossless -z 9)" ;;
        jxl) label="JPEG XL (cjxl -d 0 -e 9)" ;;
        esac
        echo "| $set_name | $label | per image, first $nfiles | $bytes | $(bpd $bytes $per_pixels) | $enc | |"
    done
    rm -rf "$work"
    trap - EXIT
done
