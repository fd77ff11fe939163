#!/bin/sh
# The ABI of libnc.so: the symbols it exports are exactly the committed list
# (libnc/exported-symbols.txt; a change to it is an API change: APIchanges,
# api_version in meson.build), and it needs no training dependency (OpenBLAS).
# Usage: check_abi.sh LIBNC.SO EXPORTED-SYMBOLS.TXT
set -eu
lib=$1 list=$2
command -v readelf >/dev/null || { echo "readelf not found" >&2; exit 77; }
actual=$(readelf --dyn-syms --wide "$lib" |
         awk '$5 == "GLOBAL" && $7 != "UND" && ($4 == "FUNC" || $4 == "OBJECT" || $4 == "IFUNC") {
                  sub(/@.*/, "", $8); print $8 }' | LC_ALL=C sort -u)
expected=$(grep -v '^#' "$list" | LC_ALL=C sort -u)
if [ "$actual" != "$expected" ]; then
    echo "exported symbols differ from $list (< expected, > exported):" >&2
    printf '%s\n' "$expected" > "${TMPDIR:-/tmp}/nc_abi_expected.$$"
    printf '%s\n' "$actual" | diff "${TMPDIR:-/tmp}/nc_abi_expected.$$" - >&2 || true
    rm -f "${TMPDIR:-/tmp}/nc_abi_expected.$$"
    exit 1
fi
if readelf --dynamic "$lib" | grep -i 'NEEDED.*blas' >&2; then
    echo "$lib needs BLAS: training code is in the runtime library" >&2
    exit 1
fi
echo "$(printf '%s\n' "$actual" | wc -l) symbols, as listed; no BLAS"
