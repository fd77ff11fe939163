#!/usr/bin/env bash
# Speech at low bitrates: libnc audio codecs against Opus (opus-tools) at 6, 8,
# 12 and 16 kbit/s and Codec2 (codec2) at 3200 .. 700C bit/s, on one file made
# by joining the speech test utterances (16 kHz mono), so container overhead and
# process start-up are spread over ~30 s of speech. See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_description="Speech test set: ${BENCH_FILES:-24} utterances from data/speech/test (ALSA
channel announcements and Asterisk fr_CA prompts: speakers never in training), joined into
one 16 kHz mono file. Rate includes each format's container (Ogg for Opus, none for Codec2,
.nc for libnc). Speed: seconds of audio per second of wall time (x real-time), one core,
including process start-up. Metrics from nc-metric against the joined reference."
metrics=(stoi estoi mel_distance mcd_db si_sdr_db)
rate_label="kbit/s"
rate_scale=0.001
speed_label="x real-time"
speed_scale=1
plot_column=6 # stoi
plot_label="STOI"

find_apps
begin_results
speech_test_join "${BENCH_FILES:-24}"

# ---- libnc --------------------------------------------------------------------
IFS=';' read -r -a nc_settings <<<"${BENCH_NC_SETTINGS:--b 1500;-b 3000;-b 6000}"
run_nc_codecs audio lossy wav "${nc_settings[@]}"

# ---- Opus ---------------------------------------------------------------------
opus_rows 6 8 12 16

# ---- Codec2 (8 kHz narrowband; nc-metric resamples its output to 16 kHz) ------
codec2_rows 3200 2400 1600 1200 700C

finish_results
