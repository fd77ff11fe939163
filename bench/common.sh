# Shared by the bench/*.sh scripts (sourced, not run). See bench/README.md.
#
# Each script runs the anchors and every libnc codec of its media type on the same
# test files, one "system" (codec + setting) at a time, and records one row per
# system in $out/results.tsv, then renders $out/results.md and $out/rd.png.
#
# Environment:
#   NC_BUILD_DIR  build directory holding apps/nc-enc, nc-dec, nc-metric
#                 (default: the first of build, build-* that has apps/nc-metric)
#   NC_DATA_DIR   data directory (default: data/ in the checkout)
#   BENCH_OUT     where results go (default: build-bench/<script name>)
#   BENCH_FILES   how many test files to use at most (default: per script)
#   BENCH_NC_RATES  bitrates (bit/s) for lossy libnc codecs (default: per script)
set -euo pipefail

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The shipped models of this checkout (the library searches only NC_MODEL_PATH and
# its install folder).
export NC_MODEL_PATH=${NC_MODEL_PATH:-$bench_root/models}
bench_name=$(basename "$0" .sh)
data=${NC_DATA_DIR:-$bench_root/data}
out=${BENCH_OUT:-$bench_root/build-bench/$bench_name}
work=$out/work

note() { echo "bench/$bench_name: $*" >&2; }
die() { note "$*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

find_apps() {
    local d
    if [ -n "${NC_BUILD_DIR:-}" ]; then
        d=$NC_BUILD_DIR
    else
        for d in "$bench_root"/build "$bench_root"/build-*; do
            [ -x "$d/apps/nc-metric" ] && break
        done
    fi
    nc_enc=$d/apps/nc-enc
    nc_dec=$d/apps/nc-dec
    nc_metric=$d/apps/nc-metric
    [ -x "$nc_metric" ] || die "no nc-metric in $d/apps: build libnc first (meson setup build && ninja -C build), or set NC_BUILD_DIR"
}

# nc_codecs MEDIA [lossless|lossy]: names of the libnc encoders for MEDIA from
# `nc-enc -L` (columns NAME MEDIA CAPABILITIES DESCRIPTION), filtered by whether
# "lossless" is among the capabilities.
nc_codecs() {
    [ -x "$nc_enc" ] || return 0
    "$nc_enc" -L 2>/dev/null | awk -v media="$1" -v kind="${2:-}" '
        NR > 1 && $2 == media {
            lossless = ($3 ~ /(^|,)lossless(,|$)/)
            if (kind == "" || (kind == "lossless") == lossless) print $1
        }'
}

now() { date +%s.%N; }
# elapsed START: seconds since START.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.6f", b - a }'; }

# json_field JSON NAME: a number (or null/true/false) from nc-metric --json.
json_field() { printf '%s' "$1" | sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p"; }

# Each system accumulates over files: per-file metrics are averaged, bytes and
# times summed. sys_begin NAME SETTING; sys_add FILE_JSON ENC_S DEC_S; sys_end.
sys_begin() {
    sys_codec=$1
    sys_setting=$2
    sys_files=0
    sys_bytes=0
    sys_enc=0
    sys_dec=0
    sys_failed=0
    sys_metrics=()
    sys_sums=()
}

# sys_add JSON BYTES ENC_SECONDS DEC_SECONDS: metric names come from $metrics.
sys_add() {
    local json=$1 i v
    sys_files=$((sys_files + 1))
    sys_bytes=$((sys_bytes + $2))
    sys_enc=$(awk -v a="$sys_enc" -v b="$3" 'BEGIN { print a + b }')
    sys_dec=$(awk -v a="$sys_dec" -v b="$4" 'BEGIN { print a + b }')
    for i in "${!metrics[@]}"; do
        v=$(json_field "$json" "${metrics[$i]}")
        case $v in
        true) v=1 ;;
        false) v=0 ;;
        null | "") v=nan ;;
        esac
        sys_sums[i]=$(awk -v a="${sys_sums[$i]:-0}" -v b="$v" 'BEGIN { print a + b }')
    done
}

sys_fail() {
    sys_failed=$((sys_failed + 1))
    note "$sys_codec $sys_setting: failed on $1"
}

# sys_end UNITS: UNITS is the total media amount the rate and speeds are taken
# over (seconds of audio or video, pixels, bytes), as set by the script in
# $total_units; rate_scale converts bits/units into the table's rate unit.
sys_end() {
    local row i
    if [ "$sys_files" -eq 0 ]; then
        printf '%s\t%s\tfailed\n' "$sys_codec" "$sys_setting" >>"$out/results.tsv"
        return
    fi
    row=$(awk -v bytes="$sys_bytes" -v units="$total_units" -v scale="$rate_scale" \
        -v enc="$sys_enc" -v dec="$sys_dec" -v speed="$speed_scale" 'BEGIN {
            printf "%.6g\t%.4g\t%.4g", 8 * bytes / units * scale,
                (enc > 0 ? units * speed / enc : 0), (dec > 0 ? units * speed / dec : 0) }')
    for i in "${!metrics[@]}"; do
        row+=$'\t'$(awk -v s="${sys_sums[$i]:-0}" -v n="$sys_files" 'BEGIN { printf "%.6g", s / n }')
    done
    [ "$sys_failed" -eq 0 ] || row+=$'\t'"($sys_failed files failed)"
    printf '%s\t%s\t%s\n' "$sys_codec" "$sys_setting" "$row" >>"$out/results.tsv"
}

# Starts results.tsv with its header: codec, setting, rate, enc and dec speed,
# then the metrics.
begin_results() {
    mkdir -p "$out" "$work"
    local h
    h="codec"$'\t'"setting"$'\t'"$rate_label"$'\t'"enc $speed_label"$'\t'"dec $speed_label"
    for m in "${metrics[@]}"; do h+=$'\t'$m; done
    printf '%s\n' "$h" >"$out/results.tsv"
    : >"$out/notes.txt"
}

skip_note() {
    note "$*"
    echo "- $*" >>"$out/notes.txt"
}

# Renders results.md (a markdown table plus notes) and rd.png (rate on x, the
# metric in column $plot_column of results.tsv on y, one line per codec).
finish_results() {
    local md=$out/results.md
    {
        echo "# bench/$bench_name: $(date -u +%Y-%m-%dT%H:%MZ), $(uname -m), $(nproc) cores"
        echo
        echo "$bench_description"
        echo
        awk -F'\t' 'NR == 1 { n = NF; line = "|"; sep = "|"
                              for (i = 1; i <= NF; i++) { line = line " " $i " |"; sep = sep " --- |" }
                              print line; print sep; next }
                    { line = "|"; for (i = 1; i <= n; i++) line = line " " (i <= NF ? $i : "") " |"
                      if (NF > n) line = line " " $(n + 1); print line }' "$out/results.tsv"
        if [ -s "$out/notes.txt" ]; then
            echo
            echo "Notes:"
            cat "$out/notes.txt"
        fi
    } >"$md"
    if have gnuplot; then
        plot_rd
    else
        note "gnuplot not found (Debian: gnuplot-nox): no rd.png"
    fi
    note "wrote $md"
    cat "$md"
}

plot_rd() {
    local codecs c script
    codecs=$(awk -F'\t' 'NR > 1 && $3 != "failed" { print $1 }' "$out/results.tsv" | uniq)
    [ -n "$codecs" ] || return 0
    script="set terminal pngcairo size 900,600 noenhanced; set output '$out/rd.png';"
    script+="set title 'bench/$bench_name'; set key outside right; set grid;"
    script+="set xlabel '$rate_label'; set ylabel '$plot_label'; ${plot_extra:-} plot "
    local first=1
    for c in $codecs; do
        awk -F'\t' -v c="$c" -v col="$plot_column" 'NR > 1 && $1 == c && $3 != "failed" { print $3, $col }' \
            "$out/results.tsv" | sort -g >"$work/plot-$c.dat"
        [ $first -eq 1 ] || script+=", "
        script+="'$work/plot-$c.dat' using 1:2 with linespoints title '$c'"
        first=0
    done
    gnuplot -e "$script" 2>"$work/gnuplot.log" || note "gnuplot failed: see $work/gnuplot.log"
}

# photo_inputs: PNM copies of the test photos (PGM for gray ones, PPM else), the
# one input format cjpeg, cwebp, cjxl, optipng and nc-enc all read, in $inputs.
photo_inputs() {
    local f fmt ext p
    [ -d "$data/photos/test" ] || return 1
    mkdir -p "$work/src"
    inputs=()
    for f in "$data"/photos/test/*.png; do
        fmt=$(ffprobe -v error -select_streams v:0 -show_entries stream=pix_fmt -of csv=p=0 "$f")
        case $fmt in gray*) ext=pgm ;; *) ext=ppm ;; esac
        p=$work/src/$(basename "$f" .png).$ext
        ffmpeg -nostdin -v error -y -i "$f" "$p"
        inputs+=("$p")
    done
}

# pixels FILE: width x height of a picture.
pixels() {
    local px
    px=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$1")
    echo $((${px%x*} * ${px#*x}))
}

# join_audio OUT SECONDS FILE...: the files (each cut to SECONDS; 0 = whole)
# joined into one 16 kHz mono 16-bit WAV; sets $ref, $inputs and $total_units
# (its duration in seconds).
join_audio() {
    local f i=0 cut=()
    [ "$2" = 0 ] || cut=(-t "$2")
    ref=$1
    shift 2
    mkdir -p "$work/join"
    : >"$work/join/list.txt"
    for f in "$@"; do
        ffmpeg -nostdin -v error -y -i "$f" "${cut[@]}" -ac 1 -ar 16000 \
            -c:a pcm_s16le "$work/join/$i.wav"
        echo "file '$work/join/$i.wav'" >>"$work/join/list.txt"
        i=$((i + 1))
    done
    ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$work/join/list.txt" -c:a pcm_s16le "$ref"
    total_units=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$ref")
    inputs=("$ref")
    note "$# files joined, $total_units s"
}

# speech_test_join COUNT: every k-th file of data/speech/test (so both sources and
# several speakers are in), at most COUNT, joined as join_audio does.
speech_test_join() {
    local all files=() step i
    [ -d "$data/speech/test" ] || die "no $data/speech/test: run scripts/fetch-data speech"
    mapfile -t all < <(find "$data/speech/test" -name '*.wav' | sort)
    step=$(((${#all[@]} + $1 - 1) / $1))
    for ((i = 0; i < ${#all[@]}; i += step)); do files+=("${all[i]}"); done
    join_audio "$work/speech-test.wav" 0 "${files[@]}"
}

# codec2_rows MODE...: Codec2 (8 kHz narrowband) in each mode; nc-metric compares
# its output resampled to 16 kHz.
codec2_rows() {
    local m
    if ! have c2enc || ! have c2dec; then
        skip_note "c2enc/c2dec not found (Debian: codec2): no Codec2 rows"
        return
    fi
    ffmpeg -nostdin -v error -y -i "$ref" -ar 8000 -ac 1 -f s16le "$work/ref8k.raw"
    for m in "$@"; do
        run_system codec2 "$m" c2 wav \
            "c2enc $m \"\$work/ref8k.raw\" \"\$bits\"" \
            "c2dec $m \"\$bits\" \"\$work/x.raw\"" \
            "ffmpeg -nostdin -v error -y -f s16le -ar 8000 -ac 1 -i \"\$work/x.raw\" \"\$dec\""
    done
}

# opus_rows KBPS...: Opus (opus-tools) at each bitrate, decoded at 16 kHz.
opus_rows() {
    local k
    if ! have opusenc || ! have opusdec; then
        skip_note "opusenc/opusdec not found (Debian: opus-tools): no Opus rows"
        return
    fi
    for k in "$@"; do
        run_system opus "$k kbit/s" opus wav \
            "opusenc --quiet --bitrate $k \"\$in\" \"\$bits\"" \
            "opusdec --quiet --rate 16000 \"\$bits\" \"\$dec\""
    done
}

# measure REF DECODED [BITSTREAM]: nc-metric's JSON, or empty on failure.
measure() {
    "$nc_metric" --json ${metric_args:-} ${3:+-b "$3"} "$1" "$2" 2>>"$work/errors.log" || true
}

# run_system CODEC SETTING BITS_EXT DEC_EXT ENC DEC [POST]: one row. For each
# file in $inputs, ENC (a string evaluated here) encodes "$in" into "$bits"
# ($work/bitstream.BITS_EXT), DEC decodes "$bits" into "$dec"
# ($work/decoded.DEC_EXT), and
# POST, untimed, turns the decoder's output into "$dec" when it cannot write it
# directly. nc-metric then compares "$in" with "$dec", rated by "$bits".
run_system() {
    local enc_cmd=$5 dec_cmd=$6 post_cmd=${7:-} t te td json
    bits=$work/bitstream.$3
    dec=$work/decoded.$4
    sys_begin "$1" "$2"
    for in in "${inputs[@]}"; do
        rm -f "$bits" "$dec"
        t=$(now)
        if ! eval "$enc_cmd" >>"$work/errors.log" 2>&1; then sys_fail "$in (encoding)"; continue; fi
        te=$(elapsed "$t")
        t=$(now)
        if ! eval "$dec_cmd" >>"$work/errors.log" 2>&1; then sys_fail "$in (decoding)"; continue; fi
        td=$(elapsed "$t")
        if [ -n "$post_cmd" ] && ! eval "$post_cmd" >>"$work/errors.log" 2>&1; then
            sys_fail "$in (converting)"
            continue
        fi
        json=$(measure "$in" "$dec" "$bits")
        if [ -z "$json" ]; then sys_fail "$in (nc-metric)"; continue; fi
        sys_add "$json" "$(stat -c %s "$bits")" "$te" "$td"
    done
    sys_end
}

# run_nc_codecs MEDIA KIND DEC_EXT SETTINGS...: every libnc encoder of MEDIA
# and KIND (lossless/lossy) from nc-enc -L, once per setting (nc-enc arguments).
run_nc_codecs() {
    local media=$1 kind=$2 dec_ext=$3 list c s
    shift 3
    list=$(nc_codecs "$media" "$kind")
    if [ -z "$list" ]; then
        skip_note "no $kind libnc $media codec is built (nc-enc -L lists none): no libnc rows"
        return
    fi
    for c in $list; do
        # a bench of one sample rate (nc_rate) leaves out codecs that take others
        if [ -n "${nc_rate:-}" ] && "$nc_enc" -c "$c" --help | grep -q '^ *sample rates:' &&
            ! "$nc_enc" -c "$c" --help | grep -q "^ *sample rates:.*\b$nc_rate\b"; then
            skip_note "$c does not take $nc_rate Hz: no $c rows"
            continue
        fi
        for s in "$@"; do
            run_system "$c" "${s:-defaults}" nc "$dec_ext" \
                "\"\$nc_enc\" -q -y -c $c $s \"\$in\" \"\$bits\"" \
                "\"\$nc_dec\" -q -y \"\$bits\" \"\$dec\""
        done
    done
}

# video_columns: the table of the video benches: kbit/s, frames per second (at 25
# frames per second of video), PSNR-Y plotted; PSNR-RGB last (nc-metric converts
# YUV as ffmpeg -pix_fmt rgb24 does).
video_columns() {
    metrics=(psnr_y ms_ssim_y ssim_y psnr_rgb)
    rate_label="kbit/s"
    rate_scale=0.001
    speed_label="fps"
    speed_scale=25
    plot_column=6
    plot_label="PSNR-Y (dB)"
}

# video_units: total_units, the seconds of video in "${inputs[@]}" at 25 frames
# per second.
video_units() {
    local f n
    total_units=0
    for f in "${inputs[@]}"; do
        n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$f")
        total_units=$(awk -v a="$total_units" -v n="$n" 'BEGIN { print a + n / 25 }')
    done
}
