#!/bin/sh
# check_compilers.sh [WORK_DIR]
# Builds the entropy conformance checker with gcc and clang at -O0 and -O3 (with and
# without -march=native, which turns on the AVX-512/AVX2 paths directly, and with
# -DNC_ENTROPY_PORTABLE, which turns the SSE2 and x86-64 assembly paths off) and runs
# each against the golden streams: every build must re-encode them byte for byte. Each
# build also runs tests/entropy/test_rans.c, whose fast byte decoder must give what the
# symbol-by-symbol reference gives, valid streams or not.
# Run from anywhere; needs gcc and clang. Exit 0 if every build passes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
status=0
for cc in gcc clang; do
    command -v "$cc" >/dev/null || { echo "skip: $cc not installed"; continue; }
    for opt in -O0 -O3 "-O3 -march=native" "-O3 -DNC_ENTROPY_PORTABLE"; do
        exe="$work/check_streams_${cc}_$(echo "$opt" | tr -d ' =-')"
        # shellcheck disable=SC2086 # opt is a list of flags
        "$cc" -std=c11 $opt -ffp-contract=off -fno-fast-math -D_GNU_SOURCE \
            -I"$root" -I"$root/libnc/include" -o "$exe" \
            "$here/check_streams.c" "$root/tests/support/recipes.c" "$root"/entropy/*.c -lm
        # shellcheck disable=SC2086
        "$cc" -std=c11 $opt -ffp-contract=off -fno-fast-math -D_GNU_SOURCE \
            -I"$root" -I"$root/libnc/include" -o "$exe.rans" \
            "$root/tests/entropy/test_rans.c" "$root/tests/support/recipes.c" "$root"/entropy/*.c -lm
        if "$exe" "$here/streams" >"$exe.log" 2>&1 && "$exe.rans" >>"$exe.log" 2>&1; then
            echo "ok   $cc $opt"
        else
            echo "FAIL $cc $opt (see $exe.log)"
            status=1
        fi
    done
done
exit $status
