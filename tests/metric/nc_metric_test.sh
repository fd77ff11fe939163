#!/bin/sh
# nc-metric end to end on files with hand-known scores (make_metric_media.c).
# Usage: nc_metric_test.sh NC_METRIC MAKE_METRIC_MEDIA
set -u
metric=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$2" "$dir" || { echo "cannot make the test media"; exit 1; }
fail=0

# field JSON NAME: the number after "NAME": (or null/true/false).
field() { printf '%s' "$1" | sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p"; }
# expect JSON NAME VALUE TOL
expect() {
    got=$(field "$1" "$2")
    if ! awk -v g="$got" -v w="$3" -v t="$4" 'BEGIN { d = g - w; exit !(g != "" && d <= t && -d <= t) }'; then
        echo "FAIL: $2 = '$got', expected $3 (tol $4)"
        fail=1
    fi
}
expect_word() {
    got=$(field "$1" "$2")
    [ "$got" = "$3" ] || { echo "FAIL: $2 = '$got', expected $3"; fail=1; }
}

# Audio: 10 dB of noise, the decoded file 800 samples longer; 1.5 s at 16 kHz.
j=$("$metric" --json -b "$dir/bits98.bin" "$dir/ref.wav" "$dir/noisy.wav") || { echo "FAIL: audio run"; exit 1; }
echo "$j"
expect "$j" snr_db 10 0.001
expect "$j" samples_compared 24000 0
expect "$j" samples_decoded 24800 0
expect "$j" kbps 0.52266667 0.000001 # 98 * 8 bits / 1.5 s
# A 300-sample delay is found and undone (SNR as if aligned), unless -d 0.
j=$("$metric" --json "$dir/ref.wav" "$dir/delayed.wav") || fail=1
echo "$j"
expect "$j" delay_samples 300 0
expect "$j" snr_db 20 0.01
expect "$j" samples_compared 24000 0
j=$("$metric" --json -d 0 "$dir/ref.wav" "$dir/delayed.wav") || fail=1
expect "$j" delay_samples 0 0
j=$("$metric" --json "$dir/ref.wav" "$dir/ref.wav") || fail=1
expect_word "$j" snr_db null # +infinity
expect "$j" stoi 1 0.000001
expect "$j" mcd_db 0 0

# Gray: mse = 100 / 256; PSNR = 10 log10(255^2 * 256 / 100) = 52.2132...
j=$("$metric" --json -b "$dir/bits98.bin" "$dir/ref.pgm" "$dir/pixel.pgm") || fail=1
echo "$j"
expect "$j" psnr_y 52.2132 0.0001
expect "$j" bits_per_pixel 3.0625 0
expect_word "$j" exact_match false
expect_word "$j" ms_ssim_y null # too small for 5 scales
j=$("$metric" --json "$dir/ref.pgm" "$dir/ref.pgm") || fail=1
expect_word "$j" exact_match true
expect "$j" ssim_y 1 0.0000001

# RGB: mse over components = 100 / 768: 10 log10(255^2 * 768 / 100) = 56.9844...
j=$("$metric" --json "$dir/ref.ppm" "$dir/pixel.ppm") || fail=1
echo "$j"
expect "$j" psnr_rgb 56.9844 0.0001

# YUV video: PSNR-RGB after the conversion ffmpeg -pix_fmt rgb24 makes (BT.601,
# limited range). Flat gray frames, luma 100 against 112: each of R, G and B moves
# by 12 * 255 / 219 = 14 levels, give or take one for libswscale's rounding (20
# log10(255 / 14) = 25.21 dB), where luma's 12 levels say 26.55 dB.
y4m() { # FILE LUMA_OCTAL: one 16x16 frame, chroma 128
    { printf 'YUV4MPEG2 W16 H16 F25:1 Ip A1:1 C420mpeg2\nFRAME\n'
      head -c 256 /dev/zero | tr '\0' "\\$2"; head -c 128 /dev/zero | tr '\0' '\200'; } >"$1"
}
y4m "$dir/gray100.y4m" 144
y4m "$dir/gray112.y4m" 160
j=$("$metric" --json "$dir/gray100.y4m" "$dir/gray112.y4m") || fail=1
echo "$j"
expect "$j" psnr_y 26.5472 0.0001
expect "$j" psnr_rgb 25.21 0.7

# Bytes.
j=$("$metric" --json -b "$dir/bits98.bin" "$dir/ref.txt" "$dir/other.txt") || fail=1
echo "$j"
expect_word "$j" exact_match false
expect "$j" first_difference 5 0
expect "$j" bits_per_dim 60.307692 0.00001 # 784 bits / 13 characters

# Failures: a missing file and a size mismatch exit 1 and print nothing on stdout.
out=$("$metric" --json "$dir/ref.pgm" "$dir/missing.pgm" 2>/dev/null) && { echo "FAIL: missing file accepted"; fail=1; }
[ -z "$out" ] || { echo "FAIL: output on failure: $out"; fail=1; }
"$metric" "$dir/ref.pgm" "$dir/ref.ppm" >/dev/null 2>&1 || true
exit $fail
