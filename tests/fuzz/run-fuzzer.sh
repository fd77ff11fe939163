#!/bin/sh
# run-fuzzer.sh FUZZER SEED_CORPUS WORK_DIR SECONDS
# Runs a libFuzzer binary for a bounded time. New inputs go to WORK_DIR, never into
# the checked-in seed corpus.
#
# The limits make work or memory out of proportion to the input a failure (issue
# 21). Decoders bound their work by the bytes they are given (pclossless: at most
# about 2000 pixels per packet byte, the model's information floor), so inputs of
# at most 512 bytes cost at most about a million pixels, a few seconds under
# ASan+UBSan: -timeout=10 then catches a decoder that works for what a header
# declares instead (the 147-byte file declaring 4096 x 4096 took 22 s without
# sanitizers). -malloc_limit_mb=128 catches an allocation for a declared size
# that the input cannot hold (a 32768 x 8192 picture is 256 MiB), and
# -rss_limit_mb=1024 the rest, models and sanitizer shadow included.
set -eu
fuzzer=$1 seeds=$2 work=$3 seconds=$4
mkdir -p "$work"
exec "$fuzzer" -max_total_time="$seconds" -max_len=512 -timeout=10 -rss_limit_mb=1024 \
    -malloc_limit_mb=128 -print_final_stats=1 -artifact_prefix="$work/" "$work" "$seeds"
