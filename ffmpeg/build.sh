#!/usr/bin/env bash
# ffmpeg/build.sh [OUT]: builds ffmpeg and ffprobe with every libnc codec into OUT
# (default: build-ffmpeg/ at the top of the repository), as ffmpeg/README.md says.
#
#   FFMPEG_SRC=DIR      Debian 12's FFmpeg 5.1 source, unpacked (default: fetched
#                       with apt-get source into OUT/download, once)
#   LIBNC_BUILD=DIR     the meson build folder of libnc to use (default: build/);
#                       ignored when PKG_CONFIG_PATH already finds an installed libnc
#   FFMPEG_SANITIZE=address  builds FFmpeg and the wrappers with AddressSanitizer
#
# Runs again cheaply: the source is patched once, configure reruns only when the
# patches, libnc's codec list or the options change, and make rebuilds what changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=$(realpath -m "${1:-$repo/build-ffmpeg}")
mkdir -p "$out"
log() { echo "ffmpeg/build.sh: $*" >&2; }

# --- libnc through pkg-config: an install, or this repository's build tree
if ! pkg-config --exists libnc 2>/dev/null; then
    libnc_build=$(realpath -m "${LIBNC_BUILD:-$repo/build}")
    if [ ! -f "$libnc_build/meson-uninstalled/libnc-uninstalled.pc" ]; then
        log "no libnc found: build it first (meson setup build && ninja -C build)"
        exit 1
    fi
    export PKG_CONFIG_PATH="$libnc_build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
libnc_libdir=$(pkg-config --variable=libdir libnc)
for flag in $(pkg-config --libs-only-L libnc); do libnc_libdir="${flag#-L}"; done

# --- Debian's FFmpeg source, unpacked once
if [ -z "${FFMPEG_SRC:-}" ]; then
    dl="$out/download"
    if [ ! -f "$dl/unpacked.stamp" ]; then
        log "fetching Debian 12's FFmpeg source with apt-get source"
        rm -rf "$dl"
        apt="$dl/apt"
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
        cat > "$apt/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
        aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
                 -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1
                 -o APT::Sandbox::User=root -q)
        apt-get "${aptopts[@]}" update >/dev/null
        (cd "$dl" && apt-get "${aptopts[@]}" source --download-only ffmpeg >/dev/null)
        dsc=$(ls "$dl"/ffmpeg_5.1*.dsc | tail -1)
        dpkg-source --no-check -x "$dsc" "$dl/ffmpeg" >/dev/null
        touch "$dl/unpacked.stamp"
    fi
    FFMPEG_SRC="$dl/ffmpeg"
fi
[ -f "$FFMPEG_SRC/libavcodec/allcodecs.c" ] || { log "$FFMPEG_SRC is not an FFmpeg source tree"; exit 1; }

# --- the patched tree: a copy of the source, patched once per patch set
src="$out/src"
patch_sum=$(cat "$here"/patches/*.patch | sha256sum | cut -c1-16)
if [ "$(cat "$src/.libnc-patches" 2>/dev/null)" != "$patch_sum" ]; then
    log "patching a copy of $FFMPEG_SRC"
    rm -rf "$src" "$out/obj"
    mkdir -p "$src"
    (cd "$FFMPEG_SRC" && tar --exclude=./debian --exclude=./.pc -cf - .) | tar -C "$src" -xf -
    for p in "$here"/patches/*.patch; do patch -s -p1 -d "$src" < "$p"; done
    cp "$src/libavcodec/allcodecs.c" "$src/libavcodec/allcodecs.c.orig"
    echo "$patch_sum" > "$src/.libnc-patches"
fi

# update FILE: moves FILE.new over FILE when they differ (so make sees real changes only)
update() { if cmp -s "$1.new" "$1"; then rm "$1.new"; else mv "$1.new" "$1"; fi; }
for f in libavcodec/libnc.h libavcodec/libnc.c libavcodec/libncenc.c libavcodec/libncdec.c \
         libavformat/libncdec.c libavformat/libncenc.c; do
    cp "$here/$f" "$src/$f.new"; update "$src/$f"
done

# --- what follows libnc's registry: codec ids, options, allcodecs.c lines
gen="$out/gen_codec_list"
cc_=${CC:-cc}
# shellcheck disable=SC2046
$cc_ -std=c11 -O1 ${FFMPEG_SANITIZE:+-fsanitize=$FFMPEG_SANITIZE} -o "$gen" \
    "$here/gen_codec_list.c" $(pkg-config --cflags --libs libnc) -Wl,-rpath,"$libnc_libdir"
"$gen" list > "$src/libavcodec/libnc_codec_list.h.new"; update "$src/libavcodec/libnc_codec_list.h"
"$gen" encoders > "$src/libavcodec/libnc_encoders.h.new"; update "$src/libavcodec/libnc_encoders.h"
"$gen" decoders > "$src/libavcodec/libnc_decoders.h.new"; update "$src/libavcodec/libnc_decoders.h"
marker="libnc's codecs: ffmpeg/build.sh"
"$gen" allcodecs > "$out/allcodecs.lines"
awk -v m="$marker" -v lines="$out/allcodecs.lines" \
    '{ print } index($0, m) { while ((getline l < lines) > 0) print l }' \
    "$src/libavcodec/allcodecs.c.orig" > "$src/libavcodec/allcodecs.c.new"
update "$src/libavcodec/allcodecs.c"
codecs=$(sed -n 's/^extern const FFCodec ff_\(.*\)_[a-z]*coder;$/\1/p' "$out/allcodecs.lines" | sort -u | paste -sd,)

# --- configure: only what ffmpeg needs for libnc, WAV, PNG/PGM/PPM, raw media, NUT,
# Matroska and .nc (and the filters ffmpeg inserts to convert formats)
config=(--disable-everything --disable-autodetect --disable-doc --disable-htmlpages
    --disable-manpages --disable-podpages --disable-txtpages --disable-network
    --disable-x86asm --disable-avdevice --disable-postproc --disable-ffplay
    --enable-zlib --enable-libnc
    --enable-encoder="$codecs,pcm_s16le,pcm_f32le,rawvideo,png"
    --enable-decoder="$codecs,pcm_s16le,pcm_f32le,rawvideo,png,pgm,ppm"
    --enable-demuxer=libnc,wav,nut,matroska,rawvideo,image2,pcm_f32le,pcm_s16le
    --enable-muxer=libnc,wav,nut,matroska,rawvideo,image2,pcm_f32le,pcm_s16le,null
    --enable-protocol=file,pipe --enable-bsf=noise
    --enable-filter=aresample,aformat,anull,atrim,format,null,scale,trim
    --extra-ldflags="-Wl,-rpath,$libnc_libdir")
if [ -n "${FFMPEG_SANITIZE:-}" ]; then
    # inline MMX code names static tables that ASan's globals instrumentation
    # renames; -O1 keeps this second build short
    config+=(--toolchain=gcc-asan --disable-stripping --disable-inline-asm --optflags=-O1)
else
    config+=(--disable-debug)
fi
config_sum=$( (printf '%s\n' "${config[@]}"; cat "$out/allcodecs.lines" "$src/.libnc-patches") |
    sha256sum | cut -c1-16)
obj="$out/obj"
mkdir -p "$obj"
if [ "$(cat "$obj/.libnc-config" 2>/dev/null)" != "$config_sum" ]; then
    log "configuring FFmpeg"
    (cd "$obj" && "$src/configure" "${config[@]}" > configure.log 2>&1) ||
        { tail -20 "$obj/configure.log" >&2; log "configure failed ($obj/configure.log)"; exit 1; }
    echo "$config_sum" > "$obj/.libnc-config"
fi
log "building ffmpeg and ffprobe in $obj"
nice -n 10 make -C "$obj" -j"${FFMPEG_JOBS:-2}" ffmpeg ffprobe > "$obj/make.log" 2>&1 ||
    { grep -B2 -A8 -m3 "error" "$obj/make.log" >&2 || tail -20 "$obj/make.log" >&2
      log "make failed ($obj/make.log)"; exit 1; }
mkdir -p "$out/bin"
for p in ffmpeg ffprobe; do cp "$obj/$p" "$out/bin/$p.new"; update "$out/bin/$p"; done
log "done: $out/bin/ffmpeg, $out/bin/ffprobe"
