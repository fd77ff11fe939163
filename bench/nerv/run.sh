#!/usr/bin/env bash
# nerv against x264 (veryslow), x265 (slow) and AV1 (SVT-AV1, preset 6) on real
# camera footage, in one run: kbit/s, PSNR on luma and on RGB, MS-SSIM on luma,
# encode and decode frames per second, then BD-rates (bench/walloc/bdrate.py on
# PSNR-Y and on PSNR-RGB). See
# codecs/nerv/README.md.
#
#   bench/nerv/run.sh     (NC_BUILD_DIR, NC_DATA_DIR, BENCH_OUT as in bench/common.sh;
#                          NERV_SETTINGS overrides nerv's settings, ';'-separated;
#                          NERV_CLIPS names the test clips to run, default all)
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

bench_description="Real footage: data/video-real/test (cockatoo: 320x180, 20 fps, hand-held
camera; balle-jbart: 360x288, 25 fps, a ball thrown across a room; 250 frames each,
YUV420P; scripts/fetch-data video-real). Rate in kbit/s over both clips (raw elementary
streams for the anchors, whole .nc files for nerv), at 25 frames per second of video.
Quality: mean over clips of PSNR-Y and PSNR-RGB (each from the clip's mean squared error;
RGB as ffmpeg -pix_fmt rgb24 converts: BT.601, limited range) and MS-SSIM on Y.
Speed: frames per second, process start-up included; nerv encodes with 2 threads (its
default), decodes with one; the anchors use one thread."

video_columns
find_apps
[ -d "$data/video-real/test" ] || die "no $data/video-real/test: run scripts/fetch-data video-real"
begin_results
inputs=()
for f in "$data"/video-real/test/*.y4m; do
    [ -z "${NERV_CLIPS:-}" ] || [[ " $NERV_CLIPS " == *" $(basename "$f" .y4m) "* ]] && inputs+=("$f")
done
video_units

IFS=';' read -r -a settings <<<"${NERV_SETTINGS:--o preset=fast -o quality=0;-o preset=fast -o quality=20;-o preset=fast -o quality=40;-o preset=fast -o quality=60}"
for s in "${settings[@]}"; do
    run_system nerv "$s" nc y4m \
        "\"\$nc_enc\" -q -y -c nerv $s \"\$in\" \"\$bits\"" \
        "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
done

encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null || true)
anchor() { # name encoder ext format options
    local k
    if [[ $encoders != *"$2"* ]]; then
        skip_note "FFmpeg without $2 (Debian: ffmpeg): no $1 rows"
        return
    fi
    for k in 50 100 200 400 800; do
        run_system "$1" "${k}k" "$3" y4m \
            "ffmpeg -nostdin -v error -y -i \"\$in\" -threads 1 -c:v $2 $5 -b:v ${k}k -f $4 \"\$bits\"" \
            "ffmpeg -nostdin -v error -y -threads 1 -i \"\$bits\" -f yuv4mpegpipe \"\$dec\""
    done
}
anchor x264-veryslow libx264 264 h264 "-preset veryslow"
anchor x265-slow libx265 265 hevc "-preset slow -x265-params pools=1:frame-threads=1:log-level=error"
anchor av1-svt-p6 libsvtav1 ivf ivf "-preset 6 -svtav1-params lp=1"

finish_results
echo
python3 "$bench_root/bench/walloc/bdrate.py" "$out/results.tsv" nerv psnr_y | tee "$out/bdrate.md"
echo
python3 "$bench_root/bench/walloc/bdrate.py" "$out/results.tsv" nerv psnr_rgb | tee -a "$out/bdrate.md"
