/* Lossless coding figures: rate in bits per dimension (a sample of one channel,
 * one colour component of a pixel, or one character) and exact reconstruction. */
#ifndef NC_METRIC_LOSSLESS_H
#define NC_METRIC_LOSSLESS_H

#include <stddef.h>
#include <stdint.h>

/* 8 * compressed_bytes / dimensions; NaN when dimensions is 0. */
double metric_bits_per_dim(uint64_t compressed_bytes, uint64_t dimensions);

/* 1 when a and b hold the same bytes, else 0. If first_diff is not NULL it gets
 * the offset of the first differing byte (the shorter length when one is a
 * prefix of the other; the length when they are equal). */
int metric_exact_match(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                          size_t *first_diff);

#endif
