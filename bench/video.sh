#!/usr/bin/env bash
# Video: libnc video codecs against x264 and x265 (FFmpeg's libx264/libx265,
# single-threaded) at matched bitrates, presets veryslow and medium, on the
# video test clips. See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_description="Video test set: data/video/test (10 clips, 32 frames each, 320x240
YUV420P at 25 fps: pans and zooms over the test photos). Rate in kbit/s over all clips
(raw elementary streams for x264/x265, .nc for libnc); quality is the mean over clips of
PSNR-Y (from the clip's mean squared error) and MS-SSIM on Y. Speed: frames per second,
one thread, FFmpeg start-up included."

video_columns
find_apps
[ -d "$data/video/test" ] || die "no $data/video/test: run scripts/fetch-data video"
begin_results
inputs=("$data"/video/test/*.y4m)
video_units

IFS=';' read -r -a nc_settings <<<"${BENCH_NC_SETTINGS:--b 100000;-b 200000;-b 400000}"
run_nc_codecs video lossy y4m "${nc_settings[@]}"

encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null || true)
if [[ $encoders == *libx264* && $encoders == *libx265* ]]; then
    for enc in libx264 libx265; do
        name=${enc#lib}
        ext=$([ $enc = libx264 ] && echo 264 || echo 265)
        fmt=$([ $enc = libx264 ] && echo h264 || echo hevc)
        extra=$([ $enc = libx265 ] && echo "-x265-params pools=1:frame-threads=1:log-level=error" || echo "")
        for preset in veryslow medium; do
            for k in 100 200 400 800; do
                run_system "$name-$preset" "${k}k" "$ext" y4m \
                    "ffmpeg -nostdin -v error -y -i \"\$in\" -threads 1 -c:v $enc -preset $preset $extra -b:v ${k}k -f $fmt \"\$bits\"" \
                    "ffmpeg -nostdin -v error -y -threads 1 -i \"\$bits\" -f yuv4mpegpipe \"\$dec\""
            done
        done
    done
else
    skip_note "FFmpeg without libx264/libx265 (Debian: ffmpeg): no x264/x265 rows"
fi

finish_results
