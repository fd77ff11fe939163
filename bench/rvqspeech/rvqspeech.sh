#!/usr/bin/env bash
# rvqspeech against Codec2 and Opus at the rates issue 7 names, side by side in
# one run, on the real-speech test split (speakers never in training):
#   rvqspeech 0.5, 1, 1.5, 3, 5, 6 kbit/s (entropy coded; band gains from 5 kbit/s,
#   phase turns at 6), 6 kbit/s without phase turns (6 stages and gains) and without
#   either (12 stages), and 3 kbit/s streaming (one 20 ms frame per packet) and
#   nominal (constant rate);
#   Codec2 3200, 1300, 700C; Opus 6, 8, 12 kbit/s.
# Goals (issue 7): at 3 kbit/s better ESTOI and mel distance than Codec2 3200 and
# Opus 6; at 1.5 kbit/s better than Codec2 1300; encode and decode >= 50x real time.
#
#   bench/rvqspeech/rvqspeech.sh            (needs a build with apps, and
#                                            scripts/fetch-data speech)
# Output: build-bench/rvqspeech/results.md (table), results.tsv, rd.png.
# Environment: see bench/common.sh (NC_BUILD_DIR, BENCH_FILES, BENCH_OUT).
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

bench_description="Speech test set: ${BENCH_FILES:-24} utterances from data/speech/test (ALSA
channel announcements and Asterisk fr_CA prompts), joined into one 16 kHz mono file. Rate
includes each format's container (.nc for rvqspeech, Ogg for Opus, none for Codec2). Speed:
seconds of audio per second of wall time, one process, including start-up and model
loading. Metrics from nc-metric against the joined reference (Codec2 is 8 kHz narrowband:
its output is resampled to 16 kHz)."
metrics=(estoi stoi mel_distance si_sdr_db snr_db)
rate_label="kbit/s"
rate_scale=0.001
speed_label="x real-time"
speed_scale=1
plot_column=6 # estoi
plot_label="ESTOI"

find_apps
begin_results
speech_test_join "${BENCH_FILES:-24}"

for s in "-b 500" "-b 1000" "-b 1500" "-b 3000" "-b 5000" "-b 6000" "-b 6000 -o model=rvqspeech-small10" \
    "-b 6000 -o phase=0" "-b 6000 -o gains=0" \
    "-b 3000 -o streaming=1" "-b 3000 -o nominal=1"; do
    run_system rvqspeech "$s" nc wav \
        "\"\$nc_enc\" -q -y -c rvqspeech $s \"\$in\" \"\$bits\" && cp \"\$bits\" \"\$work/kept.nc\"" \
        "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
    # the packets alone, without the .nc container's per-packet header and index
    payload=$("${nc_metric%/*}/nc-info" "$work/kept.nc" 2>/dev/null |
        sed -n 's/^packets: .*, \([0-9]*\) bytes, sizes.*/\1/p' || true)
    [ -z "$payload" ] || skip_note "rvqspeech $s: $(awk -v b="$payload" -v u="$total_units" \
        'BEGIN { printf "%.3f", 8 * b / u / 1000 }') kbit/s of packet payload (container excluded)"
done

codec2_rows 3200 1300 700C
opus_rows 6 8 12

finish_results
