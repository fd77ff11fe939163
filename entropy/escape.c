/* Exp-Golomb escapes in bypass bits. */
#include "entropy/escape.h"

void rc_encode_expgolomb(RCEncoder *enc, uint32_t v, unsigned k)
{
    if (k > 31) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    /* u = v + 2^k has n + k + 1 significant bits: n one-bits and a zero-bit announce n,
     * then the n + k bits of u below its leading one. */
    uint64_t u = (uint64_t)v + ((uint64_t)1 << k);
    unsigned bits = 0;
    for (uint64_t t = u; t > 1; t >>= 1) bits++; /* floor(log2(u)) = n + k */
    unsigned n = bits - k;
    for (unsigned i = 0; i < n; i++) rc_encode_bits(enc, 1, 1);
    rc_encode_bits(enc, 0, 1);
    /* u < 2^33, so bits <= 32. */
    rc_encode_bits(enc, (uint32_t)(u - ((uint64_t)1 << bits)), bits);
}

uint32_t rc_decode_expgolomb(RCDecoder *dec, unsigned k)
{
    if (k > 31) {
        dec->error = NC_EINVALIDDATA;
        return 0;
    }
    unsigned n = 0;
    while (rc_decode_bits(dec, 1)) {
        if (++n > RC_EXPGOLOMB_MAX_PREFIX - k) { /* 2^(n+k) - 2^k would pass 2^32 */
            dec->error = NC_EINVALIDDATA;
            return 0;
        }
    }
    unsigned bits = n + k; /* <= 32 by the prefix limit */
    uint64_t rest = rc_decode_bits(dec, bits);
    uint64_t v = ((uint64_t)1 << bits) + rest - ((uint64_t)1 << k);
    if (v > UINT32_MAX) {
        dec->error = NC_EINVALIDDATA;
        return 0;
    }
    return (uint32_t)v;
}

void rc_encode_expgolomb_signed(RCEncoder *enc, int32_t v, unsigned k)
{
    uint32_t z = v < 0 ? 2u * (uint32_t)(-(int64_t)v) - 1u : 2u * (uint32_t)v;
    rc_encode_expgolomb(enc, z, k);
}

int32_t rc_decode_expgolomb_signed(RCDecoder *dec, unsigned k)
{
    uint32_t z = rc_decode_expgolomb(dec, k);
    return z & 1 ? (int32_t)(-(int64_t)((z >> 1) + 1)) : (int32_t)(z >> 1);
}
