#!/usr/bin/env bash
# The cost of going through FFmpeg: the same files encoded and decoded by nc-enc /
# nc-dec and by ffmpeg with libnc's wrappers (ffmpeg/README.md), side by side in
# one run, alternating. Prints the best wall time and the best CPU time (user +
# system, all threads) of RUNS runs each, and the ratios ffmpeg / nc-*.
#
#   NC_BUILD_DIR=build FFMPEG_DIR=build-ffmpeg bench/ffmpeg.sh [RUNS]
#
# Speech: 60 s of espeak-ng reading README.md at 16 kHz mono (no resampling on
# either side); pictures: the photos test set (scripts/fetch-data photos) with
# pclossless-photo, when present. Both sides use libnc's automatic thread count.
set -eu
cd "$(dirname "$0")/.."
build=${NC_BUILD_DIR:-build}
ffdir=${FFMPEG_DIR:-build-ffmpeg}
runs=${1:-3}
data=${NC_DATA_DIR:-data}
enc=$build/apps/nc-enc dec=$build/apps/nc-dec
ffmpeg="$ffdir/bin/ffmpeg -nostdin -hide_banner -loglevel error -y"
for p in "$enc" "$dec" "$ffdir/bin/ffmpeg"; do
    [ -x "$p" ] || { echo "bench/ffmpeg.sh: $p is missing (meson compile; ffmpeg/build.sh)" >&2; exit 1; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/nc-bench-ffmpeg.XXXXXX")
trap 'rm -rf "$W"' EXIT

# pair NAME CMD1 -- CMD2: runs both RUNS times, alternating, and prints a row
pair() {
    local name=$1 a=() b=() t w1= c1= w2= c2=
    shift
    while [ "$1" != -- ]; do a+=("$1"); shift; done
    shift
    b=("$@")
    for _ in $(seq "$runs"); do
        t=$(measure "${a[@]}"); w1=$(min "$w1" "${t% *}"); c1=$(min "$c1" "${t#* }")
        t=$(measure "${b[@]}"); w2=$(min "$w2" "${t% *}"); c2=$(min "$c2" "${t#* }")
    done
    printf '%-40s %7.3f %7.3f %7.3f   %7.3f %7.3f %7.3f\n' "$name" "$w1" "$w2" \
        "$(echo "$w2 / $w1" | bc -l)" "$c1" "$c2" "$(echo "$c2 / $c1" | bc -l)"
}
# measure CMD...: "wall cpu" in seconds
measure() {
    local TIMEFORMAT='%R %U %S' t
    t=$( { time "$@" >/dev/null 2>&1 || echo "bench/ffmpeg.sh: failed: $*" >&2; } 2>&1 )
    set -- $t
    echo "$1 $(echo "$2 + $3" | bc)"
}
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

espeak-ng -w "$W/long.wav" -f README.md
$ffmpeg -i "$W/long.wav" -t 60 -ar 16000 -ac 1 -c:a pcm_s16le "$W/speech.wav"
printf '%-40s %23s   %23s\n' "" "wall time (s)" "CPU time (s)"
printf '%-40s %7s %7s %7s   %7s %7s %7s\n' "" nc-* ffmpeg ratio nc-* ffmpeg ratio
for opts in "" "-o streaming=1"; do
    name="rvqspeech ${opts:-(packets of 4 s)}"
    ffopts=$(echo "$opts" | sed 's/-o \([a-z_]*\)=/-\1 /')
    # shellcheck disable=SC2086
    pair "encode 60 s, $name" $enc -y -c rvqspeech $opts "$W/speech.wav" "$W/a.nc" -- \
        $ffmpeg -i "$W/speech.wav" -c:a libnc_rvqspeech $ffopts "$W/b.nc"
    cmp -s "$W/a.nc" "$W/b.nc" || { echo "bench/ffmpeg.sh: the .nc files differ" >&2; exit 1; }
    pair "decode 60 s, $name" $dec -y -s f32 "$W/a.nc" "$W/a.wav" -- \
        $ffmpeg -i "$W/a.nc" -c:a pcm_f32le "$W/b.wav"
done

photos=$(ls "$data"/photos/test/*.png 2>/dev/null | head -3 || true)
for p in $photos; do
    name="pclossless-photo $(basename "$p")"
    pair "encode $name" $enc -y -c pclossless -o model=pclossless-photo "$p" "$W/a.nc" -- \
        $ffmpeg -i "$p" -c:v libnc_pclossless -model pclossless-photo "$W/b.nc"
    cmp -s "$W/a.nc" "$W/b.nc" || { echo "bench/ffmpeg.sh: the .nc files differ" >&2; exit 1; }
    pair "decode $name" $dec -y "$W/a.nc" "$W/a.png" -- $ffmpeg -i "$W/a.nc" "$W/b.png"
done
