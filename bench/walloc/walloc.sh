#!/usr/bin/env bash
# walloc against JPEG, JPEG 2000, WebP, JPEG XL and AVIF on the photo test set, in
# one run: bits per pixel, PSNR over RGB, MS-SSIM and PSNR on luma, wall-clock
# speed with process start-up, then BD-rates (bdrate.py) and the in-process
# single-core speed of walloc (bench_walloc_speed). See codecs/walloc/README.md.
#
#   bench/walloc/walloc.sh      (NC_BUILD_DIR, NC_DATA_DIR, BENCH_OUT as in bench/common.sh;
#                                WALLOC_QUALITIES overrides the walloc qualities)
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

bench_description="Photo test set: data/photos/test (astronaut, camera, chelsea, coffee,
grace_hopper; RGB except camera, which is gray). Rate: bits per pixel over all pictures
(whole files, headers included). Quality: mean over pictures of PSNR over the RGB samples,
MS-SSIM and PSNR on BT.601 luma. Speed: megapixels per second, one process per picture,
start-up and file conversion included (bench_walloc_speed below gives walloc's in-process
figures). One thread everywhere (OPENBLAS_NUM_THREADS=1, cjxl --num_threads 0, avifenc -j 1)."
metrics=(psnr_rgb ms_ssim_y psnr_y)
rate_label="bits/pixel"
rate_scale=1
speed_label="MP/s"
speed_scale=0.000001
plot_column=6 # psnr_rgb
plot_label="PSNR-RGB (dB)"
export OPENBLAS_NUM_THREADS=1

# A gray picture has no RGB PSNR in nc-metric's output: its one channel's PSNR
# (psnr_y) is the same measure, so it stands in (appended: json_field takes the last).
measure() {
    local json y
    json=$("$nc_metric" --json ${3:+-b "$3"} "$1" "$2" 2>>"$work/errors.log") || return 0
    if [ -z "$(json_field "$json" psnr_rgb | grep -v null)" ]; then
        y=$(json_field "$json" psnr_y)
        json="${json%\}}, \"psnr_rgb\": $y}"
    fi
    printf '%s' "$json"
}

find_apps
[ -d "$data/photos/test" ] || die "no $data/photos/test: run scripts/fetch-data photos"
begin_results
photo_inputs
total_units=0
for f in "${inputs[@]}"; do total_units=$((total_units + $(pixels "$f"))); done

for q in ${WALLOC_QUALITIES:-8 24 40 56 72 80}; do
    run_system walloc "quality $q" nc png \
        "\"\$nc_enc\" -q -y -c walloc -o quality=$q \"\$in\" \"\$bits\"" \
        "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
done

# name_of PNM: the decoded file's extension follows the input (gray stays gray).
pnm_ext() { case $1 in *.pgm) echo pgm ;; *) echo ppm ;; esac; }

if have cjpeg && have djpeg; then
    for q in 10 20 35 50 75 90; do
        run_system jpeg "q$q" jpg pnm \
            "cjpeg -quality $q -optimize -outfile \"\$bits\" \"\$in\"" \
            "djpeg -outfile \"\$dec\" \"\$bits\""
    done
else
    skip_note "cjpeg/djpeg not found (Debian: libjpeg-turbo-progs): no JPEG rows"
fi

if have opj_compress && have opj_decompress; then
    # -r: compression ratio against the raw samples; 9/7 irreversible wavelet (-I).
    for r in 200 100 50 25 12 6; do
        run_system jpeg2000 "ratio $r" j2k pnm \
            "opj_compress -I -r $r -i \"\$in\" -o \"\$bits\"" \
            "opj_decompress -i \"\$bits\" -o \"\$work/j2k.\$(pnm_ext \"\$in\")\"" \
            "mv \"\$work/j2k.\$(pnm_ext \"\$in\")\" \"\$dec\""
    done
else
    skip_note "opj_compress/opj_decompress not found (Debian: libopenjp2-tools): no JPEG 2000 rows"
fi

if have cwebp && have dwebp; then
    for q in 5 20 40 60 80 90; do
        run_system webp "q$q m6" webp png \
            "cwebp -quiet -q $q -m 6 \"\$in\" -o \"\$bits\"" \
            "dwebp -quiet \"\$bits\" -o \"\$dec\""
    done
else
    skip_note "cwebp/dwebp not found (Debian: webp): no WebP rows"
fi

if have cjxl && have djxl; then
    for d in 8 4 2 1 0.5; do
        run_system jpegxl "d$d e7" jxl png \
            "cjxl --quiet --num_threads 0 -d $d -e 7 \"\$in\" \"\$bits\"" \
            "djxl --quiet --num_threads 0 \"\$bits\" \"\$dec\""
    done
else
    skip_note "cjxl/djxl not found (Debian: libjxl-tools): no JPEG XL rows"
fi

if have avifenc && have avifdec; then
    # avifenc reads PNG: the PNM input converted (untimed would be fairer; the
    # conversion is a few ms and is inside the timing).
    for qz in 55 45 35 25 15; do
        run_system avif "q$qz s6 444" avif png \
            "ffmpeg -nostdin -v error -y -i \"\$in\" \"\$work/avif-in.png\" && avifenc -j 1 -s 6 -y 444 --min $qz --max $qz \"\$work/avif-in.png\" \"\$bits\"" \
            "avifdec -j 1 \"\$bits\" \"\$dec\""
    done
else
    skip_note "avifenc/avifdec not found (Debian: libavif-bin): no AVIF rows"
fi

finish_results

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
{
    echo
    echo "BD-rate of walloc against each anchor (negative: walloc needs fewer bits for the same quality):"
    echo
    python3 "$bench_root/bench/walloc/bdrate.py" "$out/results.tsv" walloc
    speed=$(dirname "$nc_enc")/../bench/walloc/bench_walloc_speed
    if [ -x "$speed" ]; then
        echo
        echo "walloc in-process speed, one thread (bench_walloc_speed, CPU time, best of 3):"
        echo
        "$speed" "${inputs[@]}"
    fi
} | tee -a "$out/results.md"
