#!/usr/bin/env bash
# Music and general audio at low rates: libnc audio codecs against Opus
# (opus-tools) at 6 to 32 kbit/s, on the first 20 s of each music test track
# joined into one 16 kHz mono file. See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_description="Music test set: the first 20 s of each track in data/music/test
(Pingus tracker music, Mu-cade, Chromium B.S.U.), joined and resampled to 16 kHz mono.
Rate includes the container (Ogg for Opus, .nc for libnc). Speed: seconds of audio per
second of wall time, start-up included. Metrics from nc-metric after delay alignment."
metrics=(mel_distance lsd si_sdr_db snr_db)
rate_label="kbit/s"
rate_scale=0.001
speed_label="x real-time"
speed_scale=1
plot_column=6 # mel_distance
plot_label="multi-resolution mel distance (lower is better)"

find_apps
[ -d "$data/music/test" ] || die "no $data/music/test: run scripts/fetch-data music"
begin_results
join_audio "$work/music-test.wav" 20 "$data"/music/test/*.wav

IFS=';' read -r -a nc_settings <<<"${BENCH_NC_SETTINGS:--b 750;-b 1500;-b 3000;-b 6000}"
nc_rate=16000
run_nc_codecs audio lossy wav "${nc_settings[@]}"

opus_rows 6 8 12 16 24 32

finish_results
