#!/bin/sh
# libnc inside FFmpeg, end to end: sh ffmpeg_test.sh CASE [CODEC], with FFMPEG,
# FFPROBE, NC_ENC, NC_DEC and MEDIA_TOOL naming the programs. Each case works in
# its own temporary folder on media media_tool makes. Exit 0 pass, 1 fail, 77 skip.
#
#   codecs              every libnc codec of audio, image or video media has an
#                       encoder and a decoder libnc_NAME, and -h lists its options
#   roundtrip [CODEC [PIX]]  ffmpeg -> .nc (byte-identical to nc-enc's), .nut, .mkv ->
#                       ffmpeg gives exactly what nc-dec gives (lossless: the input);
#                       nc-dec reads ffmpeg's .nc, ffmpeg reads nc-enc's
#   errors [CODEC]      out-of-range option, missing model, damaged packets
#   seek                -ss in .nc starts at the key packet nc_demuxer_seek() names
#   bytes               a bytes codec's .nc opens and stream-copies unchanged
# Without CODEC, roundtrip and errors run for every wrapped codec nc-enc -L lists.
set -u
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0") # for the runs it starts
: "${FFMPEG:?}" "${FFPROBE:?}" "${NC_ENC:?}" "${NC_DEC:?}" "${MEDIA_TOOL:?}"
case_name=$1
codec=${2:-}
pix_arg=${3:-} # roundtrip of a picture codec: one of its pixel formats
if [ -z "$codec" ] && { [ "$case_name" = roundtrip ] || [ "$case_name" = errors ]; }; then
    status=0 codecs=$("$NC_ENC" -L | awk 'NR > 1 && $2 ~ /^(audio|image|video)$/ { print $1 }')
    [ -n "$codecs" ] || { echo "FAIL: nc-enc -L lists no audio, image or video codec" >&2; exit 1; }
    ran=0
    for c in $codecs; do
        echo "== $case_name $c"
        sh "$self" "$case_name" "$c"
        r=$?
        [ $r = 0 ] && ran=$((ran + 1))
        [ $r = 0 ] || [ $r = 77 ] || status=1
    done
    [ $status = 0 ] && [ $ran = 0 ] && exit 77 # every codec skipped
    exit $status
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/nc-ffmpeg-test.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

fail() { echo "FAIL [$case_name $codec]: $*" >&2; exit 1; }
skip() { echo "SKIP [$case_name $codec]: $*" >&2; exit 77; }

# run STATUS CMD...: stdout in out.txt, stderr in err.txt; STATUS is 0, "fail"
# (any exit status from 1 to 127: an error, not a crash or a signal) or "any"
# (0 to 127).
run() {
    want=$1; shift
    "$@" >out.txt 2>err.txt
    got=$?
    if grep -q -e 'Sanitizer' -e 'runtime error:' err.txt; then
        cat err.txt >&2; fail "'$*': sanitizer report"
    fi
    if [ "$want" = fail ] && [ "$got" -ge 1 ] && [ "$got" -lt 128 ]; then return 0; fi
    if [ "$want" = any ] && [ "$got" -lt 128 ]; then return 0; fi
    if [ "$got" != "$want" ]; then
        echo "--- stderr:" >&2; tail -20 err.txt >&2
        fail "'$*' exited $got, expected $want"
    fi
}
err_has() { grep -qF -- "$1" err.txt || { cat err.txt >&2; fail "stderr lacks '$1'"; }; }
ff() { run 0 "$FFMPEG" -nostdin -hide_banner -y -loglevel error "$@"; }
system_ff() { run 0 "${SYSTEM_FFMPEG:-/usr/bin/ffmpeg}" -nostdin -hide_banner -y -loglevel error "$@"; }
same() { cmp -s "$1" "$2" || fail "$1 and $2 differ ($(wc -c < "$1") and $(wc -c < "$2") bytes)"; }

# wrapped: the codecs nc-enc lists with audio, image or video media, as "name media"
wrapped() { "$NC_ENC" -L | awk 'NR > 1 && $2 ~ /^(audio|image|video)$/ { print $1, $2 }'; }
media_of() { wrapped | awk -v c="$1" '$1 == c { print $2 }'; }
lossless() { "$NC_ENC" -L | awk -v c="$1" '$1 == c && $3 ~ /lossless/ { f = 1 } END { exit !f }'; }

# make_input CODEC: in.* that the codec takes, and the raw form ffmpeg decodes to
# (fmt: the ffmpeg output options for raw samples or pixels).
make_input() {
    help=$("$NC_ENC" -c "$1" --help)
    case $(media_of "$1") in
    audio)
        rate=$(echo "$help" | sed -n 's/^ *sample rates: *\([0-9]*\).*/\1/p')
        chans=$(echo "$help" | sed -n 's/^ *channels: *\([0-9]*\).*/\1/p')
        "$MEDIA_TOOL" sine in.wav "${rate:-16000}" "${chans:-1}" $((3 * ${rate:-16000} + 123)) ||
            fail "media_tool sine"
        input=in.wav enc_opt=-c:a raw="-f f32le"
        ;;
    image)
        pix=${pix_arg:-$(echo "$help" | sed -n 's/^ *pixel formats: *\([a-z0-9]*\).*/\1/p')}
        "$MEDIA_TOOL" png in.png 28 28 "$pix" 7 || fail "media_tool png"
        [ "$pix" = gray ] || [ "$pix" = rgb24 ] || skip "no test picture for $pix"
        input=in.png enc_opt=-c:v raw="-f rawvideo -pix_fmt $pix"
        ;;
    video)
        # 12 frames (a picture shown again and again) in NUT, so that a codec
        # that codes several frames together is tested through ffmpeg's timing
        pix=${pix_arg:-$(echo "$help" | sed -n 's/^ *pixel formats: *\([a-z0-9]*\).*/\1/p')}
        "$MEDIA_TOOL" png in.png 28 28 rgb24 7 || fail "media_tool png"
        ff -loop 1 -framerate 25 -i in.png -frames:v 12 -pix_fmt "$pix" -c:v rawvideo in.nut
        input=in.nut enc_opt=-c:v raw="-f rawvideo -pix_fmt $pix"
        ;;
    *) skip "$1 is not wrapped" ;;
    esac
}

case $case_name in
codecs)
    run 0 "$FFMPEG" -hide_banner -encoders
    wrapped | while read -r name media; do
        grep -q " libnc_$name " out.txt || fail "ffmpeg -encoders lacks libnc_$name"
    done || exit 1
    run 0 "$FFMPEG" -hide_banner -decoders; cp out.txt decoders.txt
    wrapped | while read -r name media; do
        grep -q " libnc_$name " decoders.txt || fail "ffmpeg -decoders lacks libnc_$name"
        # every option nc-enc -c NAME --help lists, by name, with its help text
        run 0 "$FFMPEG" -hide_banner -h encoder=libnc_$name
        "$NC_ENC" -c "$name" --help | awk '/^Options/ { on = 1; next }
            on && /^  [a-z]/ { print $1 }' > options.txt
        [ -s options.txt ] || continue
        while read -r opt; do
            grep -q -- "^  -$opt " out.txt || { cat out.txt >&2; fail "-h encoder=libnc_$name lacks -$opt"; }
        done < options.txt
    done || exit 1
    [ -n "$(wrapped)" ] || fail "nc-enc -L lists no audio, image or video codec"
    ;;
roundtrip)
    # picture codecs: every pixel format they take, one after the other
    if [ -z "$pix_arg" ] && [ "$(media_of "$codec")" != audio ]; then
        for p in $("$NC_ENC" -c "$codec" --help | sed -n 's/^ *pixel formats: *//p'); do
            echo "== roundtrip $codec $p"
            sh "$self" roundtrip "$codec" "$p" || exit $?
        done
        exit 0
    fi
    make_input "$codec"
    # shellcheck disable=SC2086
    {
    # a codec that cannot code this input (its model is missing, the size does
    # not suit it) is the codec's business: the wrapper is not tested then
    "$NC_ENC" -c "$codec" "$input" ref.nc 2>err.txt || skip "nc-enc: $(cat err.txt)"
    ff -i "$input" $enc_opt "libnc_$codec" out.nc
    same out.nc ref.nc
    # -b:a / -b:v is the bitrate option (at its lowest value)
    low=$("$NC_ENC" -c "$codec" --help | awk '$1 == "bitrate" { b = 1; next }
        b { print $1; exit }')
    [ "$low" = 0 ] && low=50000 # 0 turns the option off (nerv: quality decides)
    if [ -n "$low" ]; then
        run 0 "$NC_ENC" -c "$codec" -b "$low" "$input" ref-b.nc
        ff -i "$input" $enc_opt "libnc_$codec" -b:${enc_opt#-c:} "$low" out-b.nc
        same out-b.nc ref-b.nc
        cmp -s out-b.nc ref.nc && fail "-b $low made no difference"
    fi
    # and with each boolean option on (rvqspeech: streaming, nominal)
    for opt in $("$NC_ENC" -c "$codec" --help | awk '$2 == "<bool>" { print $1 }'); do
        run 0 "$NC_ENC" -c "$codec" -o $opt=1 "$input" ref-$opt.nc
        ff -i "$input" $enc_opt "libnc_$codec" -$opt 1 out-$opt.nc
        same out-$opt.nc ref-$opt.nc
        # through a pipe, in NUT
        "$FFMPEG" -nostdin -v error -i out-$opt.nc -c copy -f nut - |
            "$FFMPEG" -nostdin -v error -y -i - $raw out-$opt.raw || fail "decoding from a NUT pipe"
        ff -i ref-$opt.nc $raw ref-$opt.raw
        same out-$opt.raw ref-$opt.raw
    done
    ff -i "$input" $enc_opt "libnc_$codec" out.nut
    ff -i "$input" $enc_opt "libnc_$codec" out.mkv
    # what nc-dec gives, as raw samples or pixels
    # (video: FFV1 in Matroska, lossless for every pixel format, which the
    # system's FFmpeg turns into raw frames: this build has no FFV1)
    to_raw=ff
    case $(media_of "$codec") in
    audio) decoded=wav dec_opt="-s f32" ;;
    video) decoded=mkv dec_opt= to_raw=system_ff ;;
    *) decoded=png dec_opt= ;;
    esac
    run 0 "$NC_DEC" $dec_opt ref.nc ref.$decoded
    $to_raw -i ref.$decoded $raw ref.raw
    if lossless "$codec"; then
        ff -i "$input" $raw in.raw
        same ref.raw in.raw
    fi
    for f in ref.nc out.nc out.nut out.mkv; do
        ff -i $f $raw $f.raw
        same $f.raw ref.raw
    done
    # nc-dec reads what ffmpeg wrote
    run 0 "$NC_DEC" $dec_opt out.nc check.$decoded
    $to_raw -i check.$decoded $raw check.raw
    same check.raw ref.raw
    # stream copy: .nc -> .nc is byte for byte; NUT stores no packet durations
    # and Matroska milliseconds, so through them the .nc differs in its packet
    # headers, but the packets and what they decode to are the same
    ff -i ref.nc -c copy copy.nc
    same copy.nc ref.nc
    for f in out.nut out.mkv; do
        ff -i $f -c copy $f.nc
        ff -i $f.nc $raw $f.nc.raw
        same $f.nc.raw ref.raw
    done
    run 0 "$FFPROBE" -v error -show_entries stream=codec_name,duration -of csv=p=0 ref.nc
    grep -q "^$codec," out.txt || { cat out.txt >&2; fail "ffprobe does not name $codec"; }
    }
    ;;
errors)
    make_input "$codec"
    # an option out of its range: FFmpeg's own check, from the generated range
    opt=$("$NC_ENC" -c "$codec" --help | awk '/^  [a-z_]+ +<int>/ { o = $1 }
        /^ +-?[0-9]+ to [0-9]+/ && o { print o, $3 + 0; exit }')
    if [ -n "$opt" ]; then
        set -- $opt
        run fail "$FFMPEG" -nostdin -y -i "$input" $enc_opt "libnc_$codec" -"$1" $(($2 + 1)) x.nc
        err_has "out of range"
    fi
    # a model that is not there
    if "$NC_ENC" -c "$codec" --help | grep -q '^  model '; then
        run fail "$FFMPEG" -nostdin -y -i "$input" $enc_opt "libnc_$codec" -model no-such-model x.nc
        err_has "no-such-model"
    fi
    # damaged packets in .nc: a byte of the first record's data flipped (classic:
    # past the file header, 16 bytes + its body + CRC, and the record header, 33
    # bytes; compact profile: the payload, which ends 4 bytes before the file's end
    # with its CRC). The demuxer names the packet and skips it (as nc-dec does), or
    # stops with -err_detect explode.
    "$NC_ENC" -c "$codec" "$input" ref.nc 2>err.txt || skip "nc-enc: $(cat err.txt)"
    if [ "$(head -c 4 ref.nc | od -An -tx1 | tr -d ' ')" = 894e4363 ]; then
        at=$(($(stat -c %s ref.nc) - 8))
    else
        at=$((16 + $(od -An -tu4 -j12 -N4 ref.nc | tr -d ' ') + 4 + 34))
    fi
    cp ref.nc bad.nc
    printf '\377' | dd of=bad.nc bs=1 seek=$at conv=notrunc 2>/dev/null
    run 0 "$FFMPEG" -nostdin -y -i bad.nc $raw /dev/null
    err_has "packet 0 is damaged"
    run fail "$FFMPEG" -nostdin -y -err_detect explode -xerror -i bad.nc $raw /dev/null
    err_has "packet 0 is damaged"
    # damaged payloads reach the decoder through Matroska (no checksums there): it
    # fails cleanly or decodes something, never crashes (a lossless coder may not
    # notice); -xerror makes a decoding error fatal
    ff -i ref.nc -c copy -bsf noise=amount=3 bad.mkv
    run any "$FFMPEG" -nostdin -y -xerror -i bad.mkv $raw /dev/null
    ;;
bytes)
    # bytes codecs are not wrapped, but their .nc files open (a data stream) and
    # stream-copy byte for byte
    codec=$("$NC_ENC" -L | awk 'NR > 1 && $2 == "bytes" { print $1; exit }')
    [ -n "$codec" ] || skip "no bytes codec"
    "$MEDIA_TOOL" text in.txt 3000 || fail "media_tool text"
    encode=$("$NC_ENC" -c "$codec" in.txt ref.nc 2>&1) || skip "$codec: $encode"
    run 0 "$FFPROBE" -v error -show_entries stream=codec_type -of csv=p=0 ref.nc
    grep -qx data out.txt || { cat out.txt >&2; fail "ffprobe does not see a data stream"; }
    ff -i ref.nc -map 0 -c copy copy.nc
    same copy.nc ref.nc
    ;;
seek)
    codec=rvqspeech
    media_of rvqspeech | grep -q audio || skip "no rvqspeech"
    "$MEDIA_TOOL" sine in.wav 16000 1 160000 || fail "media_tool sine"
    # packets of about a second: -ss 2.5 starts at the last key packet at or
    # before 2.5 s (nc_demuxer_seek()), as nc-dec would
    run 0 "$NC_ENC" -c rvqspeech -o packet_frames=50 in.wav ref.nc
    run 0 "$FFPROBE" -v error -show_entries packet=pts_time -of csv=p=0 ref.nc
    start=$(awk '$1 <= 2.5 { s = $1 } END { print s }' out.txt)
    [ "$start" != 0.000000 ] || fail "the test file has no packet between 0 and 2.5 s"
    awk -v s="$start" '$1 >= s' out.txt > want.txt
    ff -ss 2.5 -i ref.nc -copyts -c copy -f nut cut.nut
    run 0 "$FFPROBE" -v error -show_entries packet=pts_time -of csv=p=0 cut.nut
    cmp -s out.txt want.txt || { cat out.txt >&2; fail "-ss 2.5 does not start at $start"; }
    # ffmpeg drops what comes before 2.5 s: as many samples as nc-dec's from there
    # (a decoder that starts mid-stream gives other values than one that ran from
    # the start, but at the same times)
    run 0 "$NC_DEC" -s f32 ref.nc ref.wav
    ff -ss 2.5 -i ref.nc -f f32le cut.raw
    ff -ss 2.5 -i ref.wav -f f32le ref.raw
    [ "$(wc -c < cut.raw)" = "$(wc -c < ref.raw)" ] ||
        fail "-ss 2.5 gives $(wc -c < cut.raw) bytes, nc-dec's from 2.5 s $(wc -c < ref.raw)"
    # a seek inside the first packet decodes from the start: exactly nc-dec's samples
    ff -ss 0.5 -i ref.nc -f f32le cut.raw
    ff -ss 0.5 -i ref.wav -f f32le ref.raw
    same cut.raw ref.raw
    ;;
*)
    fail "unknown case"
    ;;
esac
exit 0
