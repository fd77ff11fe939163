/* Escape coding: values outside a table's support, as Exp-Golomb codes in bypass bits.
 *
 * Exp-Golomb of order k codes v >= 0 as: n = floor(log2(v / 2^k + 1)) one-bits, a
 * zero-bit, then the n + k low bits of v + 2^k * (2^n - 1)... written out exactly in
 * conformance/spec/entropy.md. All bits are range-coder bypass bits, so escapes mix
 * freely with modelled symbols. */
#ifndef NC_ENTROPY_ESCAPE_H
#define NC_ENTROPY_ESCAPE_H

#include <stdint.h>

#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

/* Longest unary prefix a decoder accepts; enough for any uint32_t at any k <= 31. */
#define RC_EXPGOLOMB_MAX_PREFIX 32

/* Codes v (any uint32_t) with order k (0..31). */
void rc_encode_expgolomb(RCEncoder *enc, uint32_t v, unsigned k);
/* Decodes a value; a prefix longer than the code allows, or a value that does not fit
 * in uint32_t, sets NC_EINVALIDDATA on the decoder and returns 0. */
uint32_t rc_decode_expgolomb(RCDecoder *dec, unsigned k);

/* Signed values: zigzag (0, -1, 1, -2, 2, ...) -> 0, 1, 2, 3, 4 ..., then Exp-Golomb. */
void rc_encode_expgolomb_signed(RCEncoder *enc, int32_t v, unsigned k);
int32_t rc_decode_expgolomb_signed(RCDecoder *dec, unsigned k);

#endif
