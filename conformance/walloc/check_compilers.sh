#!/bin/sh
# check_compilers.sh [WORK_DIR [GOLDEN_DIR]]
# Builds the walloc conformance checker with gcc and clang at -O0 and -O3 and
# runs each against the golden streams: every build must decode the same latents,
# stay within the picture tolerance, and re-encode the golden streams byte for byte
# (encoder determinism across compilers and optimization levels). Four builds of
# the library, a few minutes on 2 cores; run by hand (not by meson test, which
# already builds rvqspeech's four copies). Exit 0 if all pass.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d)}
golden=${2:-$here}
mkdir -p "$work"
status=0
for cc in gcc clang; do
    command -v "$cc" >/dev/null || { echo "skip: $cc not installed"; continue; }
    for opt in 0 3; do
        b="$work/$cc-O$opt"
        [ -d "$b" ] || CC=$cc meson setup "$b" "$root" -Dbuildtype=plain \
            -Doptimization=$opt >"$work/$cc-O$opt.setup.log" 2>&1
        if ninja -j 2 -C "$b" conformance/walloc/check_walloc >"$b.build.log" 2>&1 &&
            "$b/conformance/walloc/check_walloc" check "$golden" >"$b.log" 2>&1; then
            echo "ok   $cc -O$opt"
        else
            echo "FAIL $cc -O$opt (see $b.log, $b.build.log)"
            status=1
        fi
    done
done
exit $status
