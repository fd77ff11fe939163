#!/bin/sh
# The apps end to end: sh apps_test.sh CASE, with NC_ENC, NC_DEC, NC_INFO and
# MEDIA_TOOL naming the programs. Each case works in its own temporary folder on
# media that media_tool makes. Exit 0 pass, 1 fail, 77 skip (with the reason).
set -u
case_name=$1
W=$(mktemp -d "${TMPDIR:-/tmp}/nc-apps-test.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

fail() { echo "FAIL [$case_name]: $*" >&2; exit 1; }
skip() { echo "SKIP [$case_name]: $*" >&2; exit 77; }

# run STATUS CMD...: runs CMD with stdout in out.txt and stderr in err.txt and
# checks its exit status.
run() {
    want=$1; shift
    "$@" >out.txt 2>err.txt
    got=$?
    # Under ASan/UBSan a finding may exit with the very status a test expects.
    if grep -q -e 'Sanitizer' -e 'runtime error:' err.txt; then
        cat err.txt >&2
        fail "'$*': sanitizer report"
    fi
    if [ "$got" != "$want" ]; then
        echo "--- stdout:" >&2; cat out.txt >&2
        echo "--- stderr:" >&2; cat err.txt >&2
        fail "'$*' exited $got, expected $want"
    fi
}
# err_has TEXT / out_has TEXT: fixed-string search in the last run's output.
err_has() { grep -qF -- "$1" err.txt || { cat err.txt >&2; fail "stderr lacks '$1'"; }; }
out_has() { grep -qF -- "$1" out.txt || { cat out.txt >&2; fail "stdout lacks '$1'"; }; }
# One line of error: "prog: ..." (argument errors add the "Try" line).
err_one_line() {
    n=$(grep -vc '^Try ' err.txt)
    [ "$n" = 1 ] || { cat err.txt >&2; fail "expected one error line, got $n"; }
    grep -q "^$1: " err.txt || { cat err.txt >&2; fail "the error does not start with '$1: '"; }
}
no_leftovers() { # nothing but the expected files in the folder (no temporary files)
    extra=$(ls -A | grep -v -e '^out.txt$' -e '^err.txt$' $(for f in "$@"; do printf ' -e ^%s$' "$f"; done))
    [ -z "$extra" ] || fail "left behind: $extra"
}
tool() { "$MEDIA_TOOL" "$@" || fail "media_tool $*"; }

# encoders MEDIA: the lossless encoders of that media type that nc-enc -L lists.
lossless_encoders() {
    "$NC_ENC" -L | awk -v m="$1" 'NR > 1 && $2 == m && $3 ~ /lossless/ { print $1 }'
}
# encode_or_skip ARGS...: nc-enc, skipping the test when the codec's model is not
# available in this tree (a missing model is the codec's business, not the apps').
encode_or_skip() {
    "$NC_ENC" "$@" >out.txt 2>err.txt && return 0
    grep -q -e 'Sanitizer' -e 'runtime error:' err.txt && { cat err.txt >&2; fail "sanitizer report"; }
    if grep -q "model" err.txt; then skip "$(cat err.txt)"; fi
    cat err.txt >&2
    fail "nc-enc $* failed"
}
# any_lossy_encoder MEDIA: the first encoder of that media type without "lossless".
any_lossy_encoder() {
    "$NC_ENC" -L | awk -v m="$1" 'NR > 1 && $2 == m && $3 !~ /lossless/ { print $1; exit }'
}
codec_pix_fmts() { "$NC_ENC" -c "$1" --help | sed -n 's/^ *pixel formats: *//p'; }
# picture_codec: the first lossless image encoder in $codec and a pixel format it
# takes in $fmt, or skip.
picture_codec() {
    codec=$(lossless_encoders image | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless image encoder yet"
    case $(codec_pix_fmts "$codec") in *gray*) fmt=gray ;; *) fmt=rgb24 ;; esac
}

case $case_name in
usage_errors)
    run 1 "$NC_ENC"; err_one_line nc-enc; err_has "expected INPUT and OUTPUT"; err_has "Try 'nc-enc --help'"
    run 1 "$NC_ENC" -Z; err_has "unknown option -Z"
    run 1 "$NC_ENC" --bogus; err_has "unknown option --bogus"
    run 1 "$NC_ENC" -c; err_has "option -c needs a value"
    run 1 "$NC_ENC" in out; err_has "no codec given"
    run 1 "$NC_ENC" -c x -o novalue in out; err_has "-o novalue: expected KEY=VALUE"
    run 1 "$NC_ENC" -c x --channels 99 in out; err_has "--channels 99"
    run 1 "$NC_ENC" -c x --pix-fmt bgr in out; err_has "--pix-fmt bgr"
    run 1 "$NC_ENC" -c x --threads 0 in out; err_has "--threads 0: expected 1 to 256"
    run 1 "$NC_ENC" -c x a b c; err_has "too many arguments"
    run 1 "$NC_DEC"; err_one_line nc-dec; err_has "expected INPUT.nc and OUTPUT"
    run 1 "$NC_DEC" -s u8 a b; err_has "-s u8: expected s16, s24 or f32"
    run 1 "$NC_DEC" a b c; err_has "too many arguments"
    run 1 "$NC_INFO"; err_one_line nc-info; err_has "expected INPUT.nc"
    run 1 "$NC_INFO" --json; err_has "expected INPUT.nc"
    for app in "$NC_ENC" "$NC_DEC" "$NC_INFO"; do
        run 0 "$app" --help; out_has "Usage:"; out_has "Exit status"
        run 0 "$app" --version; out_has "(libnc) "
        [ -s err.txt ] && fail "$app --version wrote to stderr"
    done
    no_leftovers
    ;;
list_and_help)
    run 0 "$NC_ENC" -L
    head -n 1 out.txt | grep -q '^NAME  *MEDIA  *CAPABILITIES  *DESCRIPTION$' || fail "no header line"
    awk 'NR > 1 && $1 !~ /^\(no/ { print $1 }' out.txt >codecs.txt
    while read -r codec; do
        run 0 "$NC_ENC" -c "$codec" --help
        head -n 1 out.txt | grep -q "^$codec: " || fail "$codec --help: no title line"
        out_has "encoder, "
        if grep -q '^Options' out.txt; then
            grep -q "default " out.txt || fail "$codec --help shows no defaults"
        else
            out_has "No options."
        fi
    done <codecs.txt
    # Every encoder has its decoder.
    run 0 "$NC_DEC" -L
    head -n 1 out.txt | grep -q '^NAME  *MEDIA' || fail "nc-dec -L: no header line"
    while read -r codec; do grep -q "^$codec " out.txt || fail "no decoder for $codec"; done <codecs.txt
    run 1 "$NC_ENC" -c no_such_codec --help; err_one_line nc-enc
    err_has "unknown encoder 'no_such_codec' (nc-enc -L lists them)"
    ;;
missing_input)
    run 1 "$NC_DEC" missing.nc out.wav; err_one_line nc-dec; err_has "missing.nc: No such file or directory"
    run 1 "$NC_INFO" missing.nc; err_one_line nc-info; err_has "missing.nc: No such file or directory"
    codec=$("$NC_ENC" -L | awk 'NR == 2 && $1 !~ /^\(no/ { print $1 }')
    if [ -n "$codec" ]; then
        run 1 "$NC_ENC" -c "$codec" missing.png out.nc; err_one_line nc-enc
        err_has "missing.png: No such file or directory"
    fi
    tool text notmedia.txt 300
    run 1 "$MEDIA_TOOL" describe audio notmedia.txt
    run 1 "$MEDIA_TOOL" describe image notmedia.txt
    no_leftovers notmedia.txt
    ;;
refuse_overwrite)
    tool container c.nc 3 intact
    echo keep >out.bin
    run 1 "$NC_DEC" c.nc out.bin; err_one_line nc-dec; err_has "out.bin: file exists (use -y to overwrite)"
    [ "$(cat out.bin)" = keep ] || fail "nc-dec changed an existing output"
    cp out.bin out.nc
    codec=$("$NC_ENC" -L | awk 'NR == 2 && $1 !~ /^\(no/ { print $1 }')
    if [ -n "$codec" ]; then
        run 1 "$NC_ENC" -c "$codec" c.nc out.nc; err_one_line nc-enc
        err_has "out.nc: file exists (use -y to overwrite)"
        [ "$(cat out.nc)" = keep ] || fail "nc-enc changed an existing output"
    fi
    tool text t.txt 100
    run 1 "$MEDIA_TOOL" copy bytes t.txt out.bin
    [ "$(cat out.bin)" = keep ] || fail "the bytes writer changed an existing output"
    run 0 "$MEDIA_TOOL" copy bytes t.txt out.bin -y
    cmp -s t.txt out.bin || fail "-y did not replace the output"
    no_leftovers c.nc out.bin out.nc t.txt
    ;;
atomic_output)
    tool video two.y4m 16 16 2
    # Two pictures into a single-picture PNG: fails on the second; nothing is left.
    run 1 "$MEDIA_TOOL" copy video two.y4m one.png
    [ -e one.png ] && fail "a partial one.png was left"
    # A sequence is all or nothing: with seq02.png taken, seq01.png is not left either.
    echo taken >seq02.png
    run 1 "$MEDIA_TOOL" copy video two.y4m 'seq%02d.png'
    [ -e seq01.png ] && fail "seq01.png was left after a failed sequence"
    [ "$(cat seq02.png)" = taken ] || fail "seq02.png was replaced"
    rm seq02.png
    run 0 "$MEDIA_TOOL" copy video two.y4m 'seq%02d.png'
    [ -s seq01.png ] && [ -s seq02.png ] || fail "the sequence was not written"
    # A decoder that cannot start leaves no output, even with -y.
    tool container c.nc 2 intact
    run 1 "$NC_DEC" -y c.nc out.bin
    [ -e out.bin ] && fail "nc-dec left out.bin after failing"
    # An unsupported extension is refused before anything is written.
    run 1 "$MEDIA_TOOL" copy video two.y4m out.xyz
    no_leftovers two.y4m seq01.png seq02.png c.nc
    ;;
info_intact)
    tool container c.nc 5 intact
    run 0 "$NC_INFO" c.nc
    out_has "container:   .nc version 2.0"
    out_has "codec:       apptest (no decoder in this build)"
    out_has "media:       bytes"
    out_has "extradata:   5 bytes"
    out_has "packets:     5 (5 key), 500 bytes, sizes 100 to 100, mean 100.0; the index lists 5"
    out_has "duration:    500 bytes of input"
    out_has "bits/byte:   8.0000"
    out_has "damaged:     none"
    run 0 "$NC_INFO" --json c.nc
    python3 - out.txt <<'PY' || fail "nc-info --json is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["codec"] == "apptest" and d["decoder_available"] is False, d
assert d["packets"] == 5 and d["bytes"] == 500 and d["extradata_size"] == 5, d
assert d["container_version"] == "2.0" and d["damaged"] == [] and d["truncated"] is False, d
assert d["index_packets"] == 5 and abs(d["bits_per_byte"] - 8.0) < 1e-9, d
import os
assert d["file_size"] == os.path.getsize("c.nc"), d
PY
    ;;
info_damaged)
    tool container crc.nc 5 crc
    run 2 "$NC_INFO" crc.nc
    out_has "packets:     4 (4 key), 400 bytes"
    out_has "damaged:     1 packet"
    out_has "  packet 2: CRC mismatch"
    run 2 "$NC_INFO" -j crc.nc
    python3 - out.txt <<'PY' || fail "nc-info --json on a damaged file is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["damaged"] == [{"packet": 2, "error": "CRC mismatch"}] and d["packets"] == 4, d
PY
    tool container cut.nc 5 truncate
    run 2 "$NC_INFO" cut.nc
    out_has "packets:     4 (4 key), 400 bytes"
    out_has "(the file is truncated)"
    out_has "  packet 4: truncated input"
    printf 'not a container at all' >junk.nc
    run 1 "$NC_INFO" junk.nc; err_one_line nc-info; err_has "junk.nc"
    ;;
dec_unknown_codec)
    tool container c.nc 3 intact
    run 1 "$NC_DEC" c.nc out.bin; err_one_line nc-dec
    err_has "c.nc: no decoder for codec 'apptest' in this build"
    no_leftovers c.nc
    ;;
audio_io)
    tool sine s.wav 44100 2 20000
    run 0 "$MEDIA_TOOL" describe audio s.wav; out_has "audio 44100 Hz 2 channels 20000 samples"
    for out in c.wav c.flac; do
        run 0 "$MEDIA_TOOL" copy audio s.wav $out
        run 0 "$MEDIA_TOOL" compare audio s.wav $out 0
    done
    run 0 "$MEDIA_TOOL" copy audio s.wav f.wav f32; run 0 "$MEDIA_TOOL" compare audio s.wav f.wav 0
    run 0 "$MEDIA_TOOL" copy audio s.wav h.flac s24; run 0 "$MEDIA_TOOL" compare audio s.wav h.flac 0
    run 1 "$MEDIA_TOOL" copy audio s.wav bad.flac f32 # FLAC holds no floats
    # Resampling and mixing through libswresample.
    run 0 "$MEDIA_TOOL" copy audio s.wav r.wav rate=16000 channels=1
    run 0 "$MEDIA_TOOL" describe audio r.wav
    n=$(awk '{ print $6 }' out.txt)
    grep -q "^audio 16000 Hz 1 channels" out.txt && [ "$n" -ge 7250 ] && [ "$n" -le 7262 ] ||
        fail "resampled to $(cat out.txt), expected 16000 Hz mono, about 7256 samples"
    # Lossy Vorbis: same length, close to the input.
    run 0 "$MEDIA_TOOL" copy audio s.wav v.ogg
    run 0 "$MEDIA_TOOL" describe audio v.ogg; out_has "audio 44100 Hz 2 channels 20000 samples"
    # Audio libsndfile does not know (Matroska) comes through FFmpeg.
    tool sine-mka s.mka 8000 1 4000
    run 0 "$MEDIA_TOOL" describe audio s.mka; out_has "audio 8000 Hz 1 channels 4000 samples"
    run 0 "$MEDIA_TOOL" copy audio s.mka m.wav
    tool sine s8.wav 8000 1 4000
    run 0 "$MEDIA_TOOL" compare audio s8.wav m.wav 0
    ;;
picture_io)
    tool png rgb.png 33 17 rgb24
    run 0 "$MEDIA_TOOL" describe image rgb.png; out_has "picture 33x17 rgb24 1 frames"
    for out in c.png c.mkv; do
        run 0 "$MEDIA_TOOL" copy image rgb.png $out
        run 0 "$MEDIA_TOOL" compare image rgb.png $out 0
    done
    tool png gray.png 31 9 gray
    run 0 "$MEDIA_TOOL" describe image gray.png; out_has "picture 31x9 gray 1 frames"
    for out in g.png g.y4m g.mkv; do
        run 0 "$MEDIA_TOOL" copy image gray.png $out
        run 0 "$MEDIA_TOOL" compare image gray.png $out 0
    done
    tool png rgba.png 8 8 rgba
    run 0 "$MEDIA_TOOL" describe image rgba.png; out_has "picture 8x8 rgb24 1 frames"
    # Conversion to what a codec asks for, then exact copies in that format.
    run 0 "$MEDIA_TOOL" copy image rgb.png y.y4m pix_fmt=yuv420p
    run 0 "$MEDIA_TOOL" describe image y.y4m; out_has "picture 33x17 yuv420p 1 frames"
    for out in y2.y4m y.mkv; do
        run 0 "$MEDIA_TOOL" copy image y.y4m $out
        run 0 "$MEDIA_TOOL" compare image y.y4m $out 0
    done
    run 0 "$MEDIA_TOOL" copy image rgb.png g2.png pix_fmt=gray
    run 0 "$MEDIA_TOOL" describe image g2.png; out_has "picture 33x17 gray 1 frames"
    # H.264: lossless for gray (full-range 4:4:4) and RGB; 4:2:0 needs even sizes.
    if "$MEDIA_TOOL" copy image gray.png g.mp4 2>err.txt; then
        run 0 "$MEDIA_TOOL" compare image gray.png g.mp4 0
        run 0 "$MEDIA_TOOL" copy image rgb.png c.mp4; run 0 "$MEDIA_TOOL" compare image rgb.png c.mp4 0
        run 1 "$MEDIA_TOOL" copy image y.y4m y.mp4; err_has "H.264 stores 4:2:0 pictures of even sizes only"
    else
        grep -q "libx264" err.txt || { cat err.txt >&2; fail "mp4 output failed"; }
        echo "note: this FFmpeg has no libx264; mp4 output not checked" >&2
    fi
    ;;
video_io)
    tool video v.y4m 32 24 5
    run 0 "$MEDIA_TOOL" describe video v.y4m; out_has "picture 32x24 yuv420p 5 frames"
    run 0 "$MEDIA_TOOL" copy video v.y4m v.mkv; run 0 "$MEDIA_TOOL" compare video v.y4m v.mkv 0
    run 0 "$MEDIA_TOOL" copy video v.y4m 'f%03d.png'
    [ -s f001.png ] && [ -s f005.png ] && [ ! -e f006.png ] || fail "the PNG sequence is wrong"
    run 0 "$MEDIA_TOOL" describe video 'f%03d.png'; out_has "picture 32x24 rgb24 5 frames"
    if "$MEDIA_TOOL" copy video v.y4m v.mp4 2>err.txt; then
        run 0 "$MEDIA_TOOL" compare video v.y4m v.mp4 0
    else
        grep -q "libx264" err.txt || { cat err.txt >&2; fail "mp4 output failed"; }
        echo "note: this FFmpeg has no libx264; mp4 output not checked" >&2
    fi
    ;;
bytes_io)
    tool text t.txt 10000
    run 0 "$MEDIA_TOOL" describe bytes t.txt; out_has "bytes 10000"
    run 0 "$MEDIA_TOOL" copy bytes t.txt c.txt; cmp -s t.txt c.txt || fail "bytes copy differs"
    : >empty
    run 0 "$MEDIA_TOOL" copy bytes empty e.out; [ -e e.out ] && [ ! -s e.out ] || fail "empty copy"
    ;;
roundtrip_image)
    codec=$(lossless_encoders image | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless image encoder yet"
    case $(codec_pix_fmts "$codec") in *gray*) fmt=gray ;; *rgb24*) fmt=rgb24 ;; *) fmt=rgb24 ;; esac
    tool png in.png 28 28 $fmt
    encode_or_skip -c "$codec" in.png out.nc
    # Success is one summary line (as ffmpeg's and opusenc's), nothing else but the
    # warning that the model does not fit this noise-like picture.
    [ "$(grep -vc 'warning: model .* does not fit' err.txt)" = 1 ] ||
        { cat err.txt >&2; fail "nc-enc printed more than its summary"; }
    err_has "nc-enc: in.png -> out.nc: $(stat -c %s out.nc) bytes coded, 1 picture 28x28 $fmt, "
    err_has " bits/pixel"
    run 0 "$NC_INFO" out.nc; out_has "codec:       $codec"; out_has "media:       image, 28x28 $fmt"
    # One picture is a compact file (conformance/spec/container.md); damage to its
    # payload is packet 0's.
    out_has "container:   .nc version 2.0, compact profile"
    python3 -c "d = bytearray(open('out.nc', 'rb').read()); d[-10] ^= 0x10; open('bad.nc', 'wb').write(d)"
    run 2 "$NC_INFO" bad.nc; out_has "  packet 0: CRC mismatch"
    run 0 "$NC_DEC" out.nc back.png
    err_has "nc-dec: out.nc -> back.png: $(stat -c %s out.nc) bytes coded, 1 picture 28x28 $fmt, "
    run 0 "$NC_ENC" -y -q -c "$codec" in.png out.nc; [ -s err.txt ] && fail "nc-enc -q printed something"
    run 0 "$MEDIA_TOOL" compare image in.png back.png 0
    run 1 "$NC_DEC" out.nc back.png; err_has "back.png: file exists"
    run 0 "$NC_DEC" -y -q out.nc back.png; [ -s err.txt ] && fail "-q printed something"
    run 0 "$NC_DEC" out.nc back.mkv; run 0 "$MEDIA_TOOL" compare image in.png back.mkv 0
    run 1 "$NC_DEC" out.nc back.wav; err_has "pictures are written as .png, .y4m, .mkv or .mp4"
    [ -e back.wav ] && fail "back.wav was created"
    # A picture in another format is converted for the codec.
    tool png rgba.png 28 28 rgba
    encode_or_skip -c "$codec" rgba.png rgba.nc
    run 0 "$NC_INFO" rgba.nc; out_has "media:       image, 28x28"
    echo "$codec: $(stat -c %s in.png) B of PNG -> $(stat -c %s out.nc) B of .nc" >&2
    ;;
lossy_image)
    codec=$(any_lossy_encoder image)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossy image encoder yet"
    tool png in.png 64 48 rgb24
    encode_or_skip -c "$codec" in.png out.nc
    run 0 "$NC_DEC" out.nc back.png
    run 0 "$MEDIA_TOOL" describe image back.png; out_has "picture 64x48 "
    ;;
roundtrip_bytes)
    codec=$(lossless_encoders bytes | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless bytes encoder yet"
    tool text in.txt 5000
    encode_or_skip -c "$codec" in.txt out.nc
    run 0 "$NC_INFO" out.nc; out_has "media:       bytes"; out_has "duration:    5000 bytes of input"
    run 0 "$NC_DEC" out.nc back.txt
    cmp -s in.txt back.txt || fail "$codec did not give the text back"
    : >empty.txt
    encode_or_skip -c "$codec" empty.txt empty.nc
    run 0 "$NC_DEC" empty.nc empty.out
    [ -e empty.out ] && [ ! -s empty.out ] || fail "an empty text did not come back empty"
    ;;
models)
    # --models lists every shipped model; model=auto picks by the picture; a poor
    # explicit model warns and never makes the file much larger than raw.
    [ -n "${NC_MODEL_PATH:-}" ] || skip "NC_MODEL_PATH is not set"
    run 0 "$NC_ENC" --models
    out_has "MODEL"
    dir=${NC_MODEL_PATH%%:*}
    for f in "$dir"/*.ncm; do
        id=$(basename "$f" .ncm)
        grep -q "^$id " out.txt || { cat out.txt >&2; fail "--models does not list $id"; }
    done
    grep -q "^pclossless-photo .*pclossless.*image.*Photographs" out.txt || fail "--models: no codecs or summary"
    # each codec's default model carries a star; one per codec, none for model=auto
    for codec in walloc lmtext; do
        [ "$(grep -c "^[^ ]* *\([^ ]*,\)*$codec\*[, ]" out.txt)" = 1 ] ||
            { cat out.txt >&2; fail "--models: $codec has no single default"; }
    done
    for codec in pclossless rvqspeech; do
        grep -q "$codec\*" out.txt && fail "--models: a default for $codec, whose default is auto"
    done
    model_of() { "$NC_INFO" "$1" | sed -n 's/^model: *//p'; }
    # rvqspeech's auto: the model trained with gains and turns for 6000 bit/s only
    tool sine tone.wav 16000 1 16000
    encode_or_skip -v -c rvqspeech -b 6000 tone.wav six.nc
    err_has "model=auto: rvqspeech-6k"
    encode_or_skip -c rvqspeech -b 5000 tone.wav five.nc
    [ "$(model_of five.nc)" = rvqspeech-small10 ] || fail "5000 bit/s got $(model_of five.nc)"
    encode_or_skip -c rvqspeech -b 6000 -o phase=0 tone.wav nophase.nc
    [ "$(model_of nophase.nc)" = rvqspeech-small10 ] || fail "6000 bit/s without turns got $(model_of nophase.nc)"
    tool png digit.png 28 28 gray
    encode_or_skip -v -c pclossless digit.png digit.nc
    err_has "model=auto: pclossless-mnist"
    [ "$(model_of digit.nc)" = pclossless-mnist ] || fail "a 28x28 digit got $(model_of digit.nc)"
    tool png gray.png 96 64 gray
    encode_or_skip -c pclossless gray.png gray.nc
    [ "$(model_of gray.nc)" = pclossless-photo ] || fail "a gray photo got $(model_of gray.nc)"
    tool png rgb.png 96 64 rgb24
    encode_or_skip -c pclossless rgb.png rgb.nc
    [ "$(model_of rgb.nc)" = pclossless-photo ] || fail "an RGB photo got $(model_of rgb.nc)"
    tool text in.txt 2000
    encode_or_skip -c pclossless_bytes -o model=auto in.txt text.nc
    [ "$(model_of text.nc)" = pclossless-text ] || fail "a text got $(model_of text.nc)"
    # MNIST's model on a noisy RGB picture: the packet is the raw 300 x 200 x 3
    # bytes (pclossless version 2), the file a few bytes more; a warning says why.
    tool png noise.png 300 200 rgb24 7
    encode_or_skip -c pclossless -o model=pclossless-mnist noise.png noise.nc
    err_has "warning: model pclossless-mnist codes this 300x200 picture at"
    err_has "-o model=auto"
    run 0 "$NC_INFO" -j noise.nc
    bytes=$(sed -n 's/.*"bytes": \([0-9]*\).*/\1/p' out.txt)
    [ -n "$bytes" ] && [ "$bytes" -le 180000 ] || fail "noise coded in $bytes bytes, raw is 180000"
    [ "$(stat -c %s noise.nc)" -le $((180000 + 40)) ] || fail "noise.nc is $(stat -c %s noise.nc) bytes"
    ;;
pipes)
    # "-" is standard input and output: the same bytes as through files, no
    # temporary file left in $TMPDIR, and a clear error where a format is missing.
    mkdir spool; export TMPDIR="$W/spool"
    picture_codec
    tool png in.png 28 28 $fmt
    encode_or_skip -c "$codec" in.png file.nc
    "$NC_ENC" -q -c "$codec" - - <in.png >piped.nc 2>err.txt || { cat err.txt >&2; fail "nc-enc - -"; }
    cmp -s file.nc piped.nc || fail "a piped picture coded otherwise than the file"
    "$NC_DEC" -q -f png - - <piped.nc >back.png 2>err.txt || { cat err.txt >&2; fail "nc-dec -f png - -"; }
    run 0 "$MEDIA_TOOL" compare image in.png back.png 0
    "$NC_INFO" - <piped.nc >out.txt 2>err.txt || fail "nc-info -"
    out_has "codec:       $codec"; out_has "file:        -, $(stat -c %s piped.nc) bytes"
    run 1 "$NC_DEC" piped.nc -; err_one_line nc-dec; err_has "name the format of standard output (-f png"
    run 1 "$NC_DEC" -f wav piped.nc -; err_has "pictures are written as .png"
    codec=$(lossless_encoders bytes | head -n 1)
    if [ -n "$codec" ]; then
        tool text in.txt 3000
        cat in.txt | "$NC_ENC" -q -c "$codec" - - 2>err.txt | "$NC_DEC" -q - back.txt ||
            { cat err.txt >&2; fail "$codec through a pipe"; }
        cmp -s in.txt back.txt || fail "$codec did not give the piped text back"
    fi
    codec=$(any_lossy_encoder audio)
    if [ -n "$codec" ]; then
        tool sine in.wav 16000 1 8000
        encode_or_skip -y -c "$codec" in.wav file.nc
        "$NC_DEC" -q file.nc file.wav || fail "nc-dec file.nc"
        cat in.wav | "$NC_ENC" -q -c "$codec" - - | "$NC_DEC" -q - back.wav ||
            fail "cat in.wav | nc-enc -c $codec - - | nc-dec - back.wav"
        cmp -s file.wav back.wav || fail "piped audio decoded otherwise than through files"
        # WAV seeks back to write its sizes: it goes out through a spooled file.
        "$NC_DEC" -q -f wav file.nc - >piped.wav || fail "nc-dec -f wav file.nc -"
        cmp -s file.wav piped.wav || fail "WAV on standard output differs from the file"
        "$NC_DEC" -q -f flac file.nc - >piped.flac || fail "nc-dec -f flac file.nc -"
        run 0 "$MEDIA_TOOL" compare audio file.wav piped.flac 0
    fi
    [ -z "$(ls -A spool)" ] || fail "left in TMPDIR: $(ls -A spool)"
    ;;
roundtrip_audio)
    codec=$(lossless_encoders audio | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless audio encoder yet"
    rate=$("$NC_ENC" -c "$codec" --help | awk '/sample rates:/ { print $3 }')
    tool sine in.wav "${rate:-16000}" 1 8000
    encode_or_skip -c "$codec" in.wav out.nc
    run 0 "$NC_DEC" out.nc back.wav
    run 0 "$MEDIA_TOOL" compare audio in.wav back.wav 0
    ;;
lossy_audio)
    codec=$(any_lossy_encoder audio)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossy audio encoder yet"
    # Stereo at 44.1 kHz: the apps resample (and mix, if the codec refuses stereo).
    tool sine in.wav 44100 2 22050
    encode_or_skip -c "$codec" in.wav out.nc
    run 0 "$NC_INFO" out.nc; out_has "media:       audio, "
    run 0 "$NC_DEC" out.nc back.wav
    run 0 "$MEDIA_TOOL" describe audio back.wav
    # About half a second comes back (codecs may pad to their frame).
    awk '{ r = $2; n = $6; s = n / r; exit !(s >= 0.45 && s <= 0.75) }' out.txt ||
        fail "decoded $(cat out.txt); expected about 0.5 s"
    ;;
roundtrip_video)
    codec=$(lossless_encoders video | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless video encoder yet"
    tool video in.y4m 32 24 3
    encode_or_skip -c "$codec" in.y4m out.nc
    run 0 "$NC_DEC" out.nc back.y4m
    run 0 "$MEDIA_TOOL" compare video in.y4m back.y4m 0
    ;;
lossy_video)
    codec=$(any_lossy_encoder video)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossy video encoder yet"
    tool video in.y4m 32 24 3
    encode_or_skip -c "$codec" in.y4m out.nc
    run 0 "$NC_DEC" out.nc back.y4m
    run 0 "$MEDIA_TOOL" describe video back.y4m; out_has "picture 32x24 "; out_has " 3 frames"
    # --threads reaches the encoder, and the stream does not depend on it
    if "$NC_ENC" -L | grep "^$codec " | grep -q threads; then
        "$NC_ENC" -c "$codec" --help | grep -q '^  steps ' && steps="-o steps=40" || steps=
        encode_or_skip -c "$codec" $steps --threads 1 in.y4m one.nc
        encode_or_skip -c "$codec" $steps --threads 3 in.y4m three.nc
        cmp -s one.nc three.nc || fail "$codec: --threads 1 and 3 gave different streams"
    fi
    ;;
enc_options)
    codec=$("$NC_ENC" -L | awk 'NR == 2 && $1 !~ /^\(no/ { print $1 }')
    [ -n "$codec" ] || skip "nc-enc -L lists no encoder yet"
    tool text in.txt 100
    run 1 "$NC_ENC" -c "$codec" -o no_such_option=1 in.txt out.nc; err_one_line nc-enc
    err_has "$codec has no option 'no_such_option' (nc-enc -c $codec --help lists them)"
    run 1 "$NC_ENC" -c "$codec" -b lots in.txt out.nc; err_has "-b lots: expected a bitrate"
    if ! "$NC_ENC" -c "$codec" --help | grep -q '^  bitrate '; then
        run 1 "$NC_ENC" -c "$codec" -b 6k in.txt out.nc; err_one_line nc-enc
        err_has "$codec has no bitrate option"
    fi
    no_leftovers in.txt
    ;;
dec_damaged)
    codec=$(lossless_encoders image | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless image encoder yet"
    case $(codec_pix_fmts "$codec") in *gray*) fmt=gray ;; *) fmt=rgb24 ;; esac
    # Pictures of well over 1 KiB each, so the muxer stores each in a record of
    # its own (it groups smaller packets) and damage costs one picture.
    for i in 1 2 3 4; do tool png "p00$i.png" 128 128 $fmt; done
    encode_or_skip -c "$codec" 'p%03d.png' out.nc
    run 0 "$NC_INFO" out.nc; out_has "packets:     4"
    size=$(stat -c %s out.nc)
    # Flip one byte in the middle of the file: inside a packet, which is reported.
    python3 -c "import sys; d = bytearray(open('out.nc','rb').read()); d[len(d)//2] ^= 0x55; open('bad.nc','wb').write(d)"
    run 2 "$NC_DEC" bad.nc 'b%03d.png'
    grep -q "^nc-dec: bad.nc: packet [0-9]*: " err.txt || { cat err.txt >&2; fail "no packet named"; }
    err_has "damaged packet"
    [ -s b001.png ] && [ -s b003.png ] || fail "the intact pictures were not written"
    # A truncated file decodes up to the damage and still fails.
    head -c $((size * 3 / 4)) out.nc >cut.nc
    run 2 "$NC_DEC" cut.nc 'c%03d.png'
    err_has "(the file is truncated: it ends inside packet "
    err_has "bytes missing)"
    [ -s c001.png ] || fail "nothing was decoded before the truncation"
    ;;
interrupt)
    # Ctrl-C twice during a long encode: the second quits at once, and still no
    # output and no temporary file (the muxer's included) may be left.
    codec=$(lossless_encoders image | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless image encoder yet"
    tool png big.png 3000 3000 gray
    "$NC_ENC" -q -c "$codec" big.png out.nc 2>err.txt &
    pid=$!
    sleep 0.5
    kill -INT $pid
    sleep 0.1
    kill -INT $pid 2>/dev/null
    wait $pid
    status=$?
    [ "$status" = 130 ] || { cat err.txt >&2; fail "nc-enc exited $status after Ctrl-C twice, expected 130"; }
    [ -e out.nc ] && fail "an interrupted nc-enc left out.nc"
    no_leftovers big.png
    ;;
dec_partial)
    # A packet too short for its picture, CRCs intact (issue 21, 3): it costs only
    # its own frame; the frames before and after it are written, exit status 2.
    picture_codec
    for i in 1 2 3; do tool png "p00$i.png" 28 28 $fmt $i; done
    encode_or_skip -c "$codec" 'p%03d.png' three.nc
    tool remux cut.nc three.nc cut=1
    run 2 "$NC_DEC" cut.nc 'o%03d.png'
    err_has "cut.nc: packet 1: "
    err_has "1 damaged packet"
    [ -s o001.png ] && [ -s o002.png ] && [ ! -e o003.png ] || fail "frames 0 and 2 were not written"
    run 0 "$NC_DEC" three.nc 'r%03d.png'
    cmp -s o001.png r001.png && cmp -s o002.png r003.png || fail "the intact frames differ"
    # The same for bytes: three one-frame streams joined, the middle one cut.
    codec=$(lossless_encoders bytes | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless bytes encoder yet"
    for i in 1 2 3; do tool text "t$i.txt" $((200 + i)); encode_or_skip -c "$codec" "t$i.txt" "t$i.nc"; done
    tool remux tcut.nc t1.nc t2.nc t3.nc cut=1
    run 2 "$NC_DEC" tcut.nc t.out
    err_has "tcut.nc: packet 1: "
    cat t1.txt t3.txt >want.txt
    cmp -s want.txt t.out || fail "bytes: frames 0 and 2 were not written"
    ;;
dec_gives_up)
    # More damaged packets in a row than the decoder may fail (issue 21, 4): what
    # decoded before and after is kept, the damage named, exit status 2.
    picture_codec
    tool png p.png 28 28 $fmt
    encode_or_skip -c "$codec" p.png one.nc
    tool remux many.nc one.nc repeat=100 cut=10-89
    run 2 "$NC_DEC" many.nc 'o%03d.png'
    err_has "80 damaged packets"
    n=$(ls o*.png | wc -l)
    [ "$n" = 20 ] || fail "$n pictures written, expected the 20 intact ones"
    ;;
dec_interrupt)
    # One long packet (a 4096 x 4096 picture of zeros, which decodes as black):
    # Ctrl-C stops it inside the packet (issue 21, 2), leaving no output.
    codec=$(lossless_encoders image | head -n 1)
    [ "$codec" = pclossless ] || skip "needs pclossless"
    tool png p.png 28 28 gray
    encode_or_skip -c "$codec" p.png one.nc
    tool remux long.nc one.nc width=4096 height=4096 zeros=65536
    "$NC_DEC" -q long.nc out.png 2>err.txt &
    pid=$!
    sleep 1
    kill -INT $pid
    # Without the check inside the packet it would run on for 20 s or more.
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        kill -0 $pid 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 $pid 2>/dev/null; then kill -KILL $pid; fail "nc-dec still ran 10 s after Ctrl-C"; fi
    wait $pid
    status=$?
    [ "$status" = 130 ] || { cat err.txt >&2; fail "nc-dec exited $status after Ctrl-C, expected 130"; }
    no_leftovers p.png one.nc long.nc
    ;;
info_hostile)
    # A header declaring a picture far larger than its packet can hold, CRCs intact
    # (issue 21, 1): nc-info, which has the decoder, does not call it intact, and
    # nc-dec refuses it at once.
    codec=$(lossless_encoders image | head -n 1)
    [ "$codec" = pclossless ] || skip "needs pclossless"
    tool png p.png 28 28 gray
    encode_or_skip -c "$codec" p.png one.nc
    tool remux big.nc one.nc width=4096 height=4096
    run 2 "$NC_INFO" big.nc; out_has "packet 0: truncated input"
    run 1 "$NC_DEC" big.nc out.png
    err_has "a 4096x4096 gray picture needs a packet of at least"
    err_has "nothing could be decoded"
    # A bytes packet whose length field says 16 MiB - 1 (5 bits 25, then zeros).
    tool text t.txt 100
    encode_or_skip -c pclossless_bytes t.txt t.nc
    tool remux long.nc t.nc hex=c8 zeros=100
    run 2 "$NC_INFO" long.nc; out_has "packet 0: truncated input"
    run 1 "$NC_DEC" long.nc decoded.bin
    err_has "a frame of 16777215 bytes needs a packet of at least"
    no_leftovers p.png one.nc big.nc t.txt t.nc long.nc
    ;;
escaped_output)
    # Names and strings from outside reach the terminal escaped (issue 21, 5).
    esc=$(printf '\033')
    run 1 "$NC_INFO" "a${esc}[2Jb.nc"
    err_has 'a\x1b[2Jb.nc: No such file or directory'
    grep -q "$esc" err.txt && fail "a raw ESC reached stderr"
    run 1 "$NC_DEC" "$(printf 'c\302\233d.nc')" out.bin
    err_has 'c\xc2\x9bd.nc'
    ;;
output_safety)
    # Outputs never destroy inputs (issue 21, 6): output = input is refused even
    # with -y (same name, hard link, symbolic link); a symbolic link output is
    # written through to its target (the link stays); a FIFO is refused.
    tool text in.txt 300
    cp in.txt keep.txt
    tool container c.nc 3 intact
    cp c.nc keepc.nc
    codec=$(lossless_encoders bytes | head -n 1)
    if [ -n "$codec" ]; then
        run 1 "$NC_ENC" -y -c "$codec" in.txt in.txt; err_has "in.txt: is the input file in.txt"
        ln in.txt hard.txt
        run 1 "$NC_ENC" -y -c "$codec" in.txt hard.txt; err_has "is the input file"
        ln -s in.txt soft.nc
        run 1 "$NC_ENC" -y -c "$codec" in.txt soft.nc; err_has "is the input file"
        cmp -s in.txt keep.txt || fail "nc-enc changed its input"
        rm hard.txt soft.nc
        encode_or_skip -c "$codec" in.txt t.nc
        run 1 "$NC_DEC" -y t.nc t.nc; err_has "is the input file"
        echo old >target.txt
        ln -s target.txt link.txt
        run 0 "$NC_DEC" -y t.nc link.txt
        [ -L link.txt ] || fail "the symbolic link was replaced"
        cmp -s in.txt target.txt || fail "the link's target was not written"
        mkfifo fifo.txt
        run 1 "$NC_DEC" -y t.nc fifo.txt; err_has "fifo.txt: a FIFO; only regular files are replaced"
        [ -p fifo.txt ] || fail "the FIFO was replaced"
        ln -s missing.txt dangling.txt
        run 1 "$NC_DEC" -y t.nc dangling.txt; err_has "a symbolic link to nothing"
        rm fifo.txt dangling.txt link.txt target.txt t.nc
    fi
    run 1 "$NC_DEC" -y c.nc c.nc; err_has "c.nc: is the input file c.nc"
    cmp -s c.nc keepc.nc || fail "nc-dec changed its input"
    no_leftovers in.txt keep.txt c.nc keepc.nc
    ;;
stale_partials)
    # Temporary files are recognisable, and the ones a killed writer left (here
    # made by hand: a dead process of this host, untouched for an hour) are
    # removed by the next write to the same target (issue 21, 7); others stay.
    codec=$(lossless_encoders bytes | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless bytes encoder yet"
    tool text in.txt 300
    host=$(hostname | tr -cd 'A-Za-z0-9-' | cut -c1-32)
    [ -n "$host" ] || host=-
    sleep 30 & dead=$!; kill $dead; wait $dead 2>/dev/null
    stale=".out.nc.nc-partial.$host.$dead.abcdef"
    live=".out.nc.nc-partial.$host.$$.abcdef"
    young=".out.nc.nc-partial.$host.$dead.ghijkl"
    other=".out.nc.nc-partial.otherhost.$dead.abcdef"
    for f in "$stale" "$live" "$young" "$other"; do echo x >"$f"; done
    touch -d '1 hour ago' "$stale" "$live" "$other"
    "$NC_ENC" -q -c "$codec" in.txt out.nc
    [ -e "$stale" ] && fail "the stale temporary file was not removed"
    for f in "$live" "$young" "$other"; do [ -e "$f" ] || fail "$f was removed"; done
    rm -f "$live" "$young" "$other"
    # A writer killed outright leaves its temporary file, named as above.
    image=$(lossless_encoders image | head -n 1)
    if [ -n "$image" ]; then
        tool png big.png 2000 2000 gray
        "$NC_ENC" -q -c "$image" big.png big.nc 2>/dev/null &
        pid=$!
        left=
        for i in $(seq 100); do # until its temporary file appears
            left=$(ls -A | grep "^\.big\.nc\.nc-partial\.$host\.$pid\.") && break
            sleep 0.1
        done
        kill -KILL $pid
        wait $pid 2>/dev/null
        [ -n "$left" ] && [ -e "$left" ] || fail "no recognisable temporary file"
        touch -d '1 hour ago' "$left"
        "$NC_ENC" -q -c "$codec" in.txt big.nc
        [ -e "$left" ] && fail "the killed writer's temporary file was not removed"
        rm big.png big.nc
    fi
    no_leftovers in.txt out.nc
    ;;
write_failure)
    # One wording for a failed write, whichever writer hits it: "cannot write OUT:
    # REASON" (a full disk: No space left on device; here a file size limit).
    codec=$(lossless_encoders bytes | head -n 1)
    [ -n "$codec" ] || skip "nc-enc -L lists no lossless bytes encoder yet"
    head -c 300000 /dev/urandom >in.bin
    encode_or_skip -c "$codec" in.bin in.nc
    (trap '' XFSZ; ulimit -f 100; exec "$NC_DEC" in.nc out.bin) >out.txt 2>err.txt
    [ $? = 1 ] || fail "nc-dec did not fail"
    err_one_line nc-dec; err_has "nc-dec: cannot write out.bin: File too large"
    (trap '' XFSZ; ulimit -f 100; exec "$NC_ENC" -c "$codec" in.bin out.nc) >out.txt 2>err.txt
    [ $? = 1 ] || fail "nc-enc did not fail"
    err_one_line nc-enc; err_has "nc-enc: cannot write out.nc: File too large"
    no_leftovers in.bin in.nc
    ;;
dec_options_seek)
    # nc-dec -o sets decoder options; -ss / -t write a time range, seeking through
    # the index.
    picture_codec
    for i in 1 2 3 4; do tool png "p00$i.png" 28 28 $fmt $i; done
    encode_or_skip -c "$codec" 'p%03d.png' four.nc
    run 0 "$NC_DEC" four.nc 'r%03d.png'
    run 0 "$NC_DEC" -ss 0.04 -t 0.08 four.nc 's%03d.png'
    [ -s s001.png ] && [ -s s002.png ] && [ ! -e s003.png ] || fail "-ss 0.04 -t 0.08: not two pictures"
    cmp -s s001.png r002.png && cmp -s s002.png r003.png || fail "-ss 0.04 -t 0.08: not pictures 2 and 3"
    run 0 "$NC_DEC" -ss 0.12 four.nc 'e%03d.png'
    cmp -s e001.png r004.png && [ ! -e e002.png ] || fail "-ss 0.12: not the last picture"
    run 1 "$NC_DEC" -ss x four.nc x.png; err_has "-ss x: expected seconds"
    run 1 "$NC_DEC" -o bogus=1 four.nc x.png; err_has "has no option 'bogus' (nc-dec --codec-help $codec lists them)"
    run 1 "$NC_DEC" -o model_path=/nonexistent/m.ncm four.nc x.png; err_has "model"
    run 0 "$NC_DEC" --codec-help "$codec"; out_has "model_path"
    codec=$(lossless_encoders bytes | head -n 1)
    if [ -n "$codec" ]; then
        tool text t.txt 500
        encode_or_skip -c "$codec" t.txt t.nc
        run 1 "$NC_DEC" -o max_frame_bytes=100 t.nc t.out; err_has "max_frame_bytes"
        run 0 "$NC_DEC" -o max_frame_bytes=500 t.nc t.out
        cmp -s t.txt t.out || fail "bytes with -o max_frame_bytes=500 differ"
    fi
    ;;
metric_coded)
    # nc-metric takes the .nc itself as DECODED: decoded in place, rate included.
    picture_codec
    tool png p.png 28 28 $fmt
    encode_or_skip -c "$codec" p.png p.nc
    run 0 "$NC_METRIC" --json p.png p.nc
    python3 -c "import json,sys; d=json.load(open('out.txt')); assert d['metrics']['exact_match'] is True and d['rate']['bits_per_pixel'] > 0, d" 2>err.txt || { cat out.txt err.txt >&2; fail "not an exact copy with a rate"; }
    codec=$(lossless_encoders bytes | head -n 1)
    if [ -n "$codec" ]; then
        tool text t.txt 300
        encode_or_skip -c "$codec" t.txt t.nc
        run 0 "$NC_METRIC" -t bytes t.txt t.nc; out_has "metrics.exact_match: true"
    fi
    ;;
jpeg_like_ffmpeg)
    # A JPEG (4:2:0, full range) becomes the RGB pixels FFmpeg's own tools give it
    # (swscale with its default flags), so a "lossless" round trip of a JPEG
    # matches what other tools see.
    command -v ffmpeg >/dev/null || skip "no ffmpeg command to compare with"
    tool png in.png 64 48 rgb24 7
    ffmpeg -v error -i in.png -pix_fmt yuvj420p -q:v 3 in.jpg || fail "ffmpeg cannot make a JPEG"
    ffmpeg -v error -i in.jpg -pix_fmt rgb24 ff.png || fail "ffmpeg cannot decode the JPEG"
    run 0 "$MEDIA_TOOL" copy image in.jpg nc.png pix_fmt=rgb24
    run 0 "$MEDIA_TOOL" compare image ff.png nc.png 0
    ;;
*)
    fail "no such case"
    ;;
esac
exit 0
