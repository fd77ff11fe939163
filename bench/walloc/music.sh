#!/usr/bin/env bash
# walloc_audio against Opus (opus-tools) and MP3 (LAME through FFmpeg's libmp3lame)
# at about 16, 32 and 64 kbit/s on the music test split at 44.1 kHz, in one run:
# rate, mel distance, SNR, speed with start-up; then walloc's speed against the
# anchors as medians of 5 rounds. See codecs/walloc/README.md.
#
#   bench/walloc/music.sh   (NC_BUILD_DIR, NC_DATA_DIR, BENCH_OUT as in bench/common.sh;
#                            MUSIC_SECONDS: seconds of each track, default 30)
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

seconds=${MUSIC_SECONDS:-30}
bench_description="Music test split: the first $seconds s of each track of data/music/test
(Chromium B.S.U. music_game, Mu-cade mcd3, Pingus pingus-3; all mono 44.1 kHz 16-bit),
joined into one 44.1 kHz mono file (the split holds no stereo recording). Rate: whole
files (Ogg for Opus, MP3 frames, walloc's .nc container), kbit/s over the duration.
Quality: nc-metric after delay alignment (mel distance: multi-resolution log-mel,
lower is better). Speed: seconds of audio per second of wall time, one process per
file, start-up included. One thread everywhere."
metrics=(mel_distance snr_db lsd si_sdr_db)
rate_label="kbit/s"
rate_scale=0.001
speed_label="x real-time"
speed_scale=1
plot_column=6 # mel_distance
plot_label="multi-resolution mel distance (lower is better)"
export OPENBLAS_NUM_THREADS=1

find_apps
[ -d "$data/music/test" ] || die "no $data/music/test: run scripts/fetch-data music"
begin_results
mkdir -p "$work/join"
: >"$work/join/list.txt"
i=0
for f in "$data"/music/test/*.wav; do
    ffmpeg -nostdin -v error -y -i "$f" -t "$seconds" -ac 1 -ar 44100 -c:a pcm_s16le "$work/join/$i.wav"
    echo "file '$work/join/$i.wav'" >>"$work/join/list.txt"
    i=$((i + 1))
done
ref=$work/music-test.wav
ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$work/join/list.txt" -c:a pcm_s16le "$ref"
total_units=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$ref")
inputs=("$ref")
note "$i tracks joined, $total_units s"

rates=${MUSIC_RATES:-16 32 64}
for k in $rates; do
    run_system walloc_audio "bitrate $k k" nc wav \
        "\"\$nc_enc\" -q -y -c walloc_audio -b ${k}k \"\$in\" \"\$bits\"" \
        "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
done
if have opusenc && have opusdec; then
    for k in $rates; do
        run_system opus "$k kbit/s" opus wav \
            "opusenc --quiet --bitrate $k \"\$in\" \"\$bits\"" \
            "opusdec --quiet --rate 44100 \"\$bits\" \"\$dec\""
    done
else
    skip_note "opusenc/opusdec not found (Debian: opus-tools): no Opus rows"
fi
# (the list is read whole first: grep -q closing the pipe early would fail it under pipefail)
encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null || true)
if grep -q libmp3lame <<<"$encoders"; then
    # MPEG-1 layer III cannot go below 32 kbit/s at 44.1 kHz, and LAME's low
    # rates cut the band: each rate is coded at the sample rate that gave MP3 its
    # lowest mel distance on this file (of 11.025/16/22.05 kHz at 16 kbit/s,
    # 22.05/32/44.1 at 32, 32/44.1 at 64; codecs/walloc/README.md); the decoded
    # file is resampled back to 44.1 kHz (untimed) for the metrics.
    for k in $rates; do
        case $k in 16) ar=11025 ;; 32) ar=22050 ;; 64) ar=32000 ;; *) ar=44100 ;; esac
        run_system mp3 "LAME CBR $k kbit/s, $ar Hz" mp3 wav \
            "ffmpeg -nostdin -v error -y -i \"\$in\" -ar $ar -c:a libmp3lame -b:a ${k}k \"\$bits\"" \
            "ffmpeg -nostdin -v error -y -i \"\$bits\" \"\$work/mp3-dec.wav\"" \
            "ffmpeg -nostdin -v error -y -i \"\$work/mp3-dec.wav\" -ar 44100 \"\$dec\""
    done
else
    skip_note "ffmpeg has no libmp3lame: no MP3 rows"
fi
finish_results

# Speed as medians of 5 rounds in this run, at 32 kbit/s, and as ratios to Opus.
median5() { sort -g | sed -n 3p; }
time_cmd() { local t; t=$(now); eval "$1" >/dev/null 2>&1; elapsed "$t"; }
speed_row() { # NAME ENC DEC
    local e=() d=() r me md
    for r in 1 2 3 4 5; do
        e+=("$(time_cmd "$2")")
        d+=("$(time_cmd "$3")")
    done
    me=$(printf '%s\n' "${e[@]}" | median5)
    md=$(printf '%s\n' "${d[@]}" | median5)
    echo "$1 $me $md"
}
in=$ref
{
    speed_row walloc_audio "\"\$nc_enc\" -q -y -c walloc_audio -b 32k \"\$in\" \"\$work/s.nc\"" \
        "\"\$nc_dec\" -q -y \"\$work/s.nc\" \"\$work/s-nc.wav\""
    have opusenc && speed_row opus "opusenc --quiet --bitrate 32 \"\$in\" \"\$work/s.opus\"" \
        "opusdec --quiet --rate 44100 \"\$work/s.opus\" \"\$work/s-opus.wav\""
    speed_row mp3 "ffmpeg -nostdin -v error -y -i \"\$in\" -ar 22050 -c:a libmp3lame -b:a 32k \"\$work/s.mp3\"" \
        "ffmpeg -nostdin -v error -y -i \"\$work/s.mp3\" \"\$work/s-mp3.wav\""
} >"$work/speed.txt"
{
    echo
    echo "Speed at 32 kbit/s, median of 5 rounds (wall time, start-up included; $total_units s of audio):"
    echo
    echo "| codec | encode x real-time | decode x real-time | encode time / Opus's | decode time / Opus's |"
    echo "| --- | --- | --- | --- | --- |"
    awk -v dur="$total_units" 'NR == FNR && $1 == "opus" { oe = $2; od = $3 } NR == FNR { next }
        { printf "| %s | %.1f | %.1f | %s | %s |\n", $1, dur / $2, dur / $3,
                 oe ? sprintf("%.2f", $2 / oe) : "-", od ? sprintf("%.2f", $3 / od) : "-" }' \
        "$work/speed.txt" "$work/speed.txt"
} | tee -a "$out/results.md"
