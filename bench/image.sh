#!/usr/bin/env bash
# Lossy images: libnc image codecs against JPEG (libjpeg-turbo's cjpeg), WebP
# (cwebp) and JPEG XL (cjxl) over a range of qualities, on the photo test set.
# See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_description="Photo test set: data/photos/test (astronaut, camera, chelsea, coffee,
grace_hopper; RGB except camera, which is gray). Rate in bits per pixel over all pictures;
quality is the mean over pictures of PSNR and (MS-)SSIM on BT.601 luma. Speed: megapixels
per second, one process per picture (start-up included)."
metrics=(psnr_y ms_ssim_y ssim_y)
rate_label="bits/pixel"
rate_scale=1
speed_label="MP/s"
speed_scale=0.000001
plot_column=6 # psnr_y
plot_label="PSNR-Y (dB)"

find_apps
[ -d "$data/photos/test" ] || die "no $data/photos/test: run scripts/fetch-data photos"
begin_results

photo_inputs
total_units=0
for f in "${inputs[@]}"; do total_units=$((total_units + $(pixels "$f"))); done

IFS=';' read -r -a nc_settings <<<"${BENCH_NC_SETTINGS:-}"
[ ${#nc_settings[@]} -gt 0 ] || nc_settings=("")
run_nc_codecs image lossy png "${nc_settings[@]}"

if have cjpeg && have djpeg; then
    for q in 10 20 30 50 75 90; do
        run_system jpeg "q$q" jpg pnm \
            "cjpeg -quality $q -optimize -outfile \"\$bits\" \"\$in\"" \
            "djpeg -outfile \"\$dec\" \"\$bits\""
    done
else
    skip_note "cjpeg/djpeg not found (Debian: libjpeg-turbo-progs): no JPEG rows"
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
            "cjxl --quiet -d $d -e 7 \"\$in\" \"\$bits\"" \
            "djxl --quiet \"\$bits\" \"\$dec\""
    done
else
    skip_note "cjxl/djxl not found (Debian: libjxl-tools): no JPEG XL rows"
fi

finish_results
