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
[ -d "$data/speech/test" ] || die "no $data/speech/test: run scripts/fetch-data speech"
begin_results

# Every k-th test file, so both sources and several speakers are in.
mapfile -t all < <(find "$data/speech/test" -name '*.wav' | sort)
want=${BENCH_FILES:-24}
step=$(((${#all[@]} + want - 1) / want))
files=()
for ((i = 0; i < ${#all[@]}; i += step)); do files+=("${all[i]}"); done
join_audio "$work/speech-test.wav" 0 "${files[@]}"

# ---- libnc --------------------------------------------------------------------
IFS=';' read -r -a nc_settings <<<"${BENCH_NC_SETTINGS:--b 1500;-b 3000;-b 6000}"
run_nc_codecs audio lossy wav "${nc_settings[@]}"

# ---- Opus ---------------------------------------------------------------------
opus_rows 6 8 12 16

# ---- Codec2 (8 kHz narrowband; nc-metric resamples its output to 16 kHz) ------
if have c2enc && have c2dec; then
    ffmpeg -nostdin -v error -y -i "$ref" -ar 8000 -ac 1 -f s16le "$work/ref8k.raw"
    for m in 3200 2400 1600 1200 700C; do
        run_system codec2 "$m" c2 wav \
            "c2enc $m \"\$work/ref8k.raw\" \"\$bits\"" \
            "c2dec $m \"\$bits\" \"\$work/x.raw\"" \
            "ffmpeg -nostdin -v error -y -f s16le -ar 8000 -ac 1 -i \"\$work/x.raw\" \"\$dec\""
    done
else
    skip_note "c2enc/c2dec not found (Debian: codec2): no Codec2 rows"
fi

finish_results
