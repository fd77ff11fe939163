#!/bin/sh
# The ABI of libnc.so: the symbols it exports are exactly the committed list
# (libnc/exported-symbols.txt; a change to it is an API change: APIchanges,
# api_version in meson.build), and it needs no training dependency (OpenBLAS).
# With DEBIAN-SYMBOLS (debian/libnc1.symbols), the Debian package's symbols file must
# name the same symbols (its package build fails on any difference, dpkg-gensymbols -c4).
# Usage: check_abi.sh LIBNC.SO EXPORTED-SYMBOLS.TXT [DEBIAN-SYMBOLS]
set -eu
lib=$1 list=$2 debian=${3:-}
command -v readelf >/dev/null || { echo "readelf not found" >&2; exit 77; }

# same_as_list WHAT SYMBOLS: fails with the difference (< list, > WHAT) unless the
# sorted SYMBOLS are the list's.
same_as_list() {
    [ "$2" = "$expected" ] && return 0
    echo "$1 differ from $list (< $list, > $1):" >&2
    printf '%s\n' "$expected" > "${TMPDIR:-/tmp}/nc_abi_expected.$$"
    printf '%s\n' "$2" | diff "${TMPDIR:-/tmp}/nc_abi_expected.$$" - >&2 || true
    rm -f "${TMPDIR:-/tmp}/nc_abi_expected.$$"
    return 1
}

actual=$(readelf --dyn-syms --wide "$lib" |
         awk '$5 == "GLOBAL" && $7 != "UND" && ($4 == "FUNC" || $4 == "OBJECT" || $4 == "IFUNC") {
                  sub(/@.*/, "", $8); print $8 }' | LC_ALL=C sort -u)
expected=$(grep -v '^#' "$list" | LC_ALL=C sort -u)
same_as_list "the symbols $lib exports" "$actual" || exit 1
if readelf --dynamic "$lib" | grep -i 'NEEDED.*blas' >&2; then
    echo "$lib needs BLAS: training code is in the runtime library" >&2
    exit 1
fi
if [ -n "$debian" ]; then
    named=$(sed -n 's/^ \(nc_[A-Za-z0-9_]*\)@Base .*/\1/p' "$debian" | LC_ALL=C sort -u)
    if ! same_as_list "the symbols $debian names" "$named"; then
        echo "(a symbol there is a line ' nc_NAME@Base VERSION', VERSION the package's that adds it)" >&2
        exit 1
    fi
fi
echo "$(printf '%s\n' "$actual" | wc -l) symbols, as listed${debian:+ (and in $debian)}; no BLAS"
