#!/usr/bin/env bash
# Lossless images: libnc lossless image codecs against PNG (optipng -o7), WebP
# lossless (cwebp -lossless -z 9) and JPEG XL lossless (cjxl -d 0 -e 9), on two
# sets, each with its own table: the photo test set and MNIST test digits.
# See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

metrics=(exact_match)
rate_label="bits/dim"
rate_scale=1
speed_label="MB/s"
speed_scale=0.000001
plot_column=4 # encoding speed: lossless rows differ in rate and speed only
plot_label="encoding MB/s (log)"
plot_extra="set logscale y;"

find_apps
base_out=$out

# MNIST: the first 1000 test digits as ten 10x10 grids (280x280 gray), so
# container headers do not swamp 784-byte pictures.
mnist_inputs() {
    local idx=$data/mnist/test-images-idx3-ubyte
    [ -f "$idx" ] || return 1
    mkdir -p "$work/src"
    tail -c +17 "$idx" | head -c $((1000 * 784)) |
        ffmpeg -nostdin -v error -y -f rawvideo -pix_fmt gray -s 28x28 -i - \
            -vf tile=10x10 -frames:v 10 "$work/src/mnist-grid%02d.pgm"
    inputs=("$work"/src/mnist-grid*.pgm)
}

photos_inputs() { photo_inputs; }

# Dimensions: pixels x components (1 gray, 3 RGB).
count_dims() {
    local f comps
    total_units=0
    for f in "${inputs[@]}"; do
        case $f in *.pgm) comps=1 ;; *) comps=3 ;; esac
        total_units=$((total_units + $(pixels "$f") * comps))
    done
}

for set in photos mnist; do
    bench_name=lossless-$set
    out=$base_out/$set
    work=$out/work
    begin_results
    bench_description="Lossless $set set."
    if ! "${set}_inputs"; then
        skip_note "no $set data: run scripts/fetch-data $set"
        finish_results
        continue
    fi
    count_dims
    case $set in
    photos) bench_description="Photo test set: data/photos/test (4 RGB, 1 gray)." ;;
    mnist) bench_description="MNIST test digits 0..999 as ten 280x280 grids of 10x10 digits." ;;
    esac
    bench_description+=" Rate in bits per dimension (per gray value or colour component);
exact_match 1 means every picture decoded bit-exact. Speed: MB of raw 8-bit samples per second,
one process per picture (start-up included); PNG decoding is timed with FFmpeg."

    run_nc_codecs image lossless png ""
    # pclossless's defaults row uses the MNIST model; on photos also its photo model.
    if [ "$set" = photos ] && nc_codecs image lossless | grep -qw pclossless; then
        run_system pclossless "model=pclossless-photo" nc png \
            "\"\$nc_enc\" -q -y -c pclossless -o model=pclossless-photo \"\$in\" \"\$bits\"" \
            "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
    fi

    if have optipng; then
        # PNG needs no decoder of its own: FFmpeg decoding it is timed, and
        # nc-metric reads the PNG itself.
        run_system png "optipng -o7" png png \
            "optipng -quiet -o7 -out \"\$bits\" \"\$in\"" \
            "ffmpeg -nostdin -v error -i \"\$bits\" -f null -" "cp \"\$bits\" \"\$dec\""
    else
        skip_note "optipng not found (Debian: optipng): no PNG rows"
    fi
    if have cwebp && have dwebp; then
        run_system webp "lossless z9" webp png \
            "cwebp -quiet -lossless -z 9 \"\$in\" -o \"\$bits\"" \
            "dwebp -quiet \"\$bits\" -o \"\$dec\""
    else
        skip_note "cwebp/dwebp not found (Debian: webp): no WebP rows"
    fi
    if have cjxl && have djxl; then
        run_system jpegxl "d0 e9" jxl png \
            "cjxl --quiet -d 0 -e 9 \"\$in\" \"\$bits\"" \
            "djxl --quiet \"\$bits\" \"\$dec\""
    else
        skip_note "cjxl/djxl not found (Debian: libjxl-tools): no JPEG XL rows"
    fi
    finish_results
done
