#!/usr/bin/env bash
# conformance/xarch.sh [--all] [ARCH...]   ARCH: aarch64, s390x (default: both)
#
# Cross-compiles libnc and its conformance checkers for another CPU with Debian's
# cross toolchain (gcc-<triplet>) and runs them under qemu-user against the golden
# streams and models committed for x86-64: the 'conformance' suite (every codec's
# checker, the container and entropy golden files, conformance/run with libnc's
# decoder) and the .ncm reader's unit test. s390x is big-endian, aarch64 has fused
# multiply-add and its own libm and OpenBLAS kernels, so together they show whether
# the bytes on disk mean the same thing elsewhere.
#
# Needs: gcc-aarch64-linux-gnu / gcc-s390x-linux-gnu, qemu-user, and apt lists of
# the foreign architecture (dpkg --add-architecture arm64 s390x; apt-get update):
# OpenBLAS and kissfft of the target are fetched with `apt-get download` and
# unpacked into a private sysroot (nothing is installed for the foreign
# architecture, so the host's package versions do not have to match).
# Without the tools it prints "xarch: skip ..." and exits 77. --all builds and runs
# every test of the build instead (unit, integration, fuzz corpora; a few minutes
# more per architecture, so not in scripts/setup test).
#
# Environment: NC_XARCH_DIR (default build-xarch) holds the sysroots and builds;
# NC_XARCH_CC=clang cross-compiles with clang instead of gcc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
top=${NC_XARCH_DIR:-$root/build-xarch}
compiler=${NC_XARCH_CC:-gcc}
all=0
if [ "${1:-}" = --all ]; then
    all=1
    shift
fi
[ $# -gt 0 ] || set -- aarch64 s390x

# The target's runtime libraries (and headers, pkg-config files) of the build's dependencies.
debs="libopenblas-dev libopenblas-pthread-dev libopenblas0-pthread libopenblas0 libgfortran5
      libkissfft-dev libkissfft-float131"

skip() {
    echo "xarch: skip $arch: $*"
    exit 77
}

for arch in "$@"; do
    case $arch in
    aarch64) triplet=aarch64-linux-gnu debarch=arm64 endian=little ;;
    s390x) triplet=s390x-linux-gnu debarch=s390x endian=big ;;
    *) echo "xarch: unknown architecture $arch (aarch64, s390x)" >&2; exit 2 ;;
    esac
    command -v "$triplet-gcc" >/dev/null || skip "no $triplet-gcc (apt-get install gcc-$triplet)"
    command -v "qemu-$arch" >/dev/null || skip "no qemu-$arch (apt-get install qemu-user)"
    if [ "$compiler" = clang ]; then
        command -v clang >/dev/null || skip "no clang"
        cc="['clang', '--target=$triplet']"
    else
        cc="'$triplet-gcc'"
    fi
    sysroot=$top/sysroot-$arch
    if [ ! -f "$sysroot/.done" ]; then
        apt-cache show "libkissfft-dev:$debarch" >/dev/null 2>&1 ||
            skip "apt has no $debarch packages (dpkg --add-architecture $debarch; apt-get update)"
        rm -rf "$sysroot" "$top/debs-$arch"
        mkdir -p "$top/debs-$arch" "$sysroot"
        # shellcheck disable=SC2046 # one word per package
        (cd "$top/debs-$arch" && apt-get download -q $(printf "%s:$debarch " $debs)) >/dev/null ||
            skip "apt-get download of the $debarch libraries failed"
        for deb in "$top/debs-$arch"/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
        touch "$sysroot/.done"
    fi
    lib=$sysroot/usr/lib/$triplet
    build=$top/$arch-$compiler
    mkdir -p "$build"
    cat >"$top/$arch-$compiler.ini" <<EOF
[binaries]
c = $cc
ar = '$triplet-ar'
strip = '$triplet-strip'
pkgconfig = 'pkg-config'
exe_wrapper = ['qemu-$arch', '-L', '/usr/$triplet', '-E', 'LD_LIBRARY_PATH=$lib:$lib/openblas-pthread']

[properties]
sys_root = '$sysroot'
pkg_config_libdir = ['$lib/pkgconfig', '$lib/openblas-pthread/pkgconfig']

[built-in options]
c_link_args = ['-Wl,-rpath-link,$lib']

[host_machine]
system = 'linux'
cpu_family = '$arch'
cpu = '$arch'
endian = '$endian'
EOF
    echo "=== $arch ($compiler, qemu-$arch): conformance"
    setup=(--cross-file "$top/$arch-$compiler.ini" --buildtype=release -Dwerror=true
           -Dapps=false -Dbench=false -Dtests=true)
    if [ -f "$build/build.ninja" ]; then
        meson setup --reconfigure "$build" "$root" "${setup[@]}" >"$build.setup.log" 2>&1
    else
        meson setup "$build" "$root" "${setup[@]}" >"$build.setup.log" 2>&1
    fi || { cat "$build.setup.log"; exit 1; }
    if [ $all -eq 1 ]; then
        ninja -C "$build" -j 2 >"$build.build.log" 2>&1 || { tail -40 "$build.build.log"; exit 1; }
        meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 2 --timeout-multiplier 4
        continue
    fi
    # Only what the legs run: the conformance suite and the .ncm reader's unit tests.
    picked=$(meson introspect --tests --targets "$build" | python3 -c '
import json, os, sys
info = json.load(sys.stdin)
files = {t["id"]: t["filename"][0] for t in info["targets"]}
tests = [t for t in info["tests"]
         if any(s.split(":")[-1] == "conformance" for s in t["suite"]) or t["name"] in ("model_format", "model_sha256")]
print(" ".join(sorted({os.path.relpath(files[d], sys.argv[1]) for t in tests for d in t["depends"]})))
print(" ".join(t["name"] for t in tests))
' "$build")
    # shellcheck disable=SC2086 # one word per target
    ninja -C "$build" -j 2 $(echo "$picked" | sed -n 1p) >"$build.build.log" 2>&1 ||
        { tail -40 "$build.build.log"; exit 1; }
    # shellcheck disable=SC2046 # one word per test
    meson test -C "$build" --no-rebuild --print-errorlogs --num-processes 2 \
        --timeout-multiplier 4 $(echo "$picked" | sed -n 2p)
done
