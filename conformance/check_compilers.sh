#!/bin/sh
# check_compilers.sh [WORK_DIR]
# Builds the codecs' conformance checkers with gcc and clang at -O0 and -O3 (four
# builds of the library, made once and shared by every checker) and runs each
# against its golden streams: every build must decode the same symbols (indices,
# latents, bytes), stay within the output tolerance, and re-encode the golden
# streams byte for byte (encoder determinism across compilers and optimization
# levels). meson test runs it in the plain build (suite conformance). The entropy
# core has its own, wider matrix (conformance/entropy/check_compilers.sh). Exit 0 if all pass.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
# checker (under conformance/) : its arguments before the golden folder : the folder
checkers="rvqspeech/check_rvqspeech::rvqspeech lmtext/check_lmtext:check:lmtext
walloc/check_walloc:check:walloc walloc/check_walloc_audio:check:walloc_audio nerv/check_nerv:check:nerv
semantic/check_semantic::semantic"
status=0
for cc in gcc clang; do
    command -v "$cc" >/dev/null || { echo "skip: $cc not installed"; continue; }
    for opt in 0 3; do
        b="$work/$cc-O$opt"
        [ -d "$b" ] || CC=$cc meson setup "$b" "$root" -Dbuildtype=plain -Doptimization=$opt \
            -Dapps=false -Dbench=false >"$b.setup.log" 2>&1
        targets=
        for c in $checkers; do targets="$targets conformance/${c%%:*}"; done
        # shellcheck disable=SC2086 # targets is a list
        if ! ninja -j 2 -C "$b" $targets >"$b.build.log" 2>&1; then
            echo "FAIL $cc -O$opt: build (see $b.build.log)"
            status=1
            continue
        fi
        for c in $checkers; do
            checker=${c%%:*} rest=${c#*:}
            mode=${rest%%:*} codec=${rest#*:}
            # shellcheck disable=SC2086 # mode is empty or one word
            if "$b/conformance/$checker" $mode "$here/$codec" >"$b.$codec.log" 2>&1; then
                echo "ok   $codec $cc -O$opt"
            else
                echo "FAIL $codec $cc -O$opt (see $b.$codec.log)"
                status=1
            fi
        done
    done
done
exit $status
