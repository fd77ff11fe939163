#!/usr/bin/env bash
# The semantic codec against the anchors issue 18 names, side by side in one run per
# test set, on held-out speech, music and sound effects:
#   semantic at about 0.35, 0.7 and 1.4 kbit/s (-b 350 / 700 / 1400);
#   rvqspeech at 1 and 1.5 kbit/s; Opus at 6 kbit/s, its lowest useful rate;
#   Codec2 1300 and 700C (speech only).
# Goals (issue 18): at 1.4 kbit/s a lower mel distance than rvqspeech at 1.5 kbit/s
# on music and effects, and than Codec2 1300 on speech; decode >= 20x real time.
#
#   bench/semantic/semantic.sh [speech|music|effects]...   (default: all three)
#
# Needs a build with apps and scripts/fetch-data speech music effects. Output:
# build-bench/semantic-<set>/results.md (table), results.tsv, rd.png per set.
# Environment: see bench/common.sh (NC_BUILD_DIR, BENCH_FILES, BENCH_OUT).
if [ $# -ne 1 ]; then
    for set in ${@:-speech music effects}; do "$0" "$set" || exit 1; done
    exit 0
fi
set_name=$1
export BENCH_OUT=${BENCH_OUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)/build-bench}/semantic-$set_name
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

rate_label="kbit/s"
rate_scale=0.001
speed_label="x real-time"
speed_scale=1
plot_label="multi-resolution mel distance (lower is better)"
find_apps
case $set_name in
speech)
    bench_description="Speech test set: ${BENCH_FILES:-24} utterances from data/speech/test (ALSA
channel announcements and Asterisk fr_CA prompts: speakers never in training), joined into
one 16 kHz mono file."
    metrics=(mel_distance estoi stoi si_sdr_db snr_db)
    begin_results
    speech_test_join "${BENCH_FILES:-24}"
    ;;
music)
    bench_description="Music test set: the first 20 s of each track in data/music/test (Pingus
tracker music, Mu-cade, Chromium B.S.U.; never trained on), joined at 16 kHz mono."
    metrics=(mel_distance lsd si_sdr_db snr_db)
    [ -d "$data/music/test" ] || die "no $data/music/test: run scripts/fetch-data music"
    begin_results
    join_audio "$work/music-test.wav" 20 "$data"/music/test/*.wav
    ;;
effects)
    bench_description="Sound-effects test set: the 27 sounds of data/effects/test (the
freedesktop.org sound theme: bells, phone tones, a camera shutter, dialog sounds; never
trained on), joined at 16 kHz mono."
    metrics=(mel_distance lsd si_sdr_db snr_db)
    [ -d "$data/effects/test" ] || die "no $data/effects/test: run scripts/fetch-data effects"
    begin_results
    join_audio "$work/effects-test.wav" 0 "$data"/effects/test/*.wav
    ;;
*) die "unknown set $set_name (speech, music or effects)" ;;
esac
plot_column=6 # mel_distance
bench_description="$bench_description Rate includes each format's container (.nc for libnc,
Ogg for Opus, none for Codec2). Speed: seconds of audio per second of wall time, one process,
including start-up and model loading. Metrics from nc-metric after delay alignment."

for s in "-b 350" "-b 700" "-b 1400"; do
    run_system semantic "$s" nc wav \
        "\"\$nc_enc\" -q -y -c semantic $s \"\$in\" \"\$bits\"" \
        "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
done
for s in "-b 1000" "-b 1500"; do
    run_system rvqspeech "$s" nc wav \
        "\"\$nc_enc\" -q -y -c rvqspeech $s \"\$in\" \"\$bits\"" \
        "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
done
[ "$set_name" != speech ] || codec2_rows 1300 700C
opus_rows 6

finish_results
