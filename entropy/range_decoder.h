/* Range decoder: the inverse of entropy/range_encoder.h, hardened for hostile input.
 *
 * It reads only buf[0 .. size) of the caller's buffer; bytes past the end read as
 * zero (which is also how the encoder's flush expects the stream to continue), so
 * no input can make it read out of bounds. Every symbol decode returns a valid
 * symbol of the model it was given, whatever the input, so the caller's tables
 * are safe to index with it.
 *
 * Detecting damage: a range code has no redundancy per symbol, so damage shows up
 * at the end. rc_dec_finish() checks that the stream was exactly as long as the
 * decoded symbols needed (the encoder always writes rc_enc_bytes_if_flushed()
 * bytes): a truncated stream returns NC_ETRUNCATED, trailing garbage or an
 * inconsistent state NC_EINVALIDDATA. rc_dec_error() flags impossible states early
 * (a code value outside the model's total). Codecs that need certainty add a CRC.
 *
 * Usage:
 *   RCDecoder dec;
 *   rc_dec_init(&dec, buf, size);
 *   sym = rc_decode_cdf(&dec, cdf, 256, 16); ...
 *   int err = rc_dec_finish(&dec);        // 0 if the stream ended where it should
 */
#ifndef NC_ENTROPY_RANGE_DECODER_H
#define NC_ENTROPY_RANGE_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "entropy/range_encoder.h"
#include "nc/error.h"

typedef struct RCDecoder {
    const uint8_t *buf;
    size_t size;     /* readable bytes: buf[0 .. size) */
    size_t pos;      /* next byte to read; may pass size (those bytes read as 0) */
    uint64_t code;   /* stream value minus low, always < range */
    uint64_t range;  /* same as the encoder's range at the same point */
    uint64_t r;      /* range >> prec of the symbol being decoded (target -> update) */
    int error;       /* NC_EINVALIDDATA once an impossible state was met; sticky */
} RCDecoder;

/* Starts decoding the stream in buf[0 .. size) (buf may be NULL if size is 0). */
void rc_dec_init(RCDecoder *dec, const uint8_t *buf, size_t size);
/* Bytes of the stream the decoder has consumed so far if it were to stop now; after
 * the last symbol this equals the encoder's flushed stream length. */
static inline size_t rc_dec_consumed(const RCDecoder *dec)
{
    return dec->pos - (RC_WINDOW_BITS / 8 - 1);
}
/* Information decoded so far in 1/8 bits; equals rc_enc_tell_frac() at the same point. */
uint64_t rc_dec_tell_frac(const RCDecoder *dec);
/* NC_EINVALIDDATA if an impossible state was met so far, else 0. */
static inline int rc_dec_error(const RCDecoder *dec) { return dec->error; }
/* After the last symbol: 0 if the stream is consistent with the decoded symbols and
 * its length; NC_ETRUNCATED if it is shorter than they need; NC_EINVALIDDATA for
 * an impossible state or nonzero bytes after the end of the stream. Zero bytes
 * after the end are accepted (padding to a fixed size decodes identically). */
int rc_dec_finish(const RCDecoder *dec);

/* NC_ETRUNCATED once the decoder has read past the end of the stream (it can then
 * only end in rc_dec_finish() failing), its sticky error if any, else 0: what a
 * decoder checks between units of work so that a packet too short for what it
 * declares costs no more work than its bytes paid for. */
static inline int rc_dec_overrun(const RCDecoder *dec)
{
    if (dec->error) return dec->error;
    return rc_dec_consumed(dec) > dec->size ? NC_ETRUNCATED : 0;
}

/* Information in 2^-RC_INFO_FRAC_BITS bits, for the size checks below. */
#define RC_INFO_FRAC_BITS 24

/* A lower bound on what coding a symbol costs, in 2^-24 bits, when its frequency
 * is at most max_freq of 2^prec (prec <= 24): -log2(1 - x) >= x for
 * x = 1 - max_freq / 2^prec. Integers only, so every platform agrees. */
static inline uint64_t rc_symbol_info_floor(uint64_t max_freq, unsigned prec)
{
    uint64_t total = (uint64_t)1 << prec;
    return max_freq >= total ? 0 : (total - max_freq) << (RC_INFO_FRAC_BITS - prec);
}

/* The fewest bytes a stream carrying at least `info` (2^-24 bits) of information
 * can have: decoding I bits consumes at least I / 8 bytes (the range shrinks by
 * each symbol's probability, and each byte read multiplies it by 256 only), and
 * rc_dec_finish() wants every consumed byte to be present. */
static inline uint64_t rc_stream_min_bytes(uint64_t info)
{
    return (info + ((uint64_t)8 << RC_INFO_FRAC_BITS) - 1) >> (RC_INFO_FRAC_BITS + 3);
}

/* NC_ETRUNCATED if `size` bytes are fewer than rc_stream_min_bytes(info), else 0:
 * lets a decoder refuse a declared size before allocating for it. */
static inline int rc_stream_can_hold(size_t size, uint64_t info)
{
    return (uint64_t)size >= rc_stream_min_bytes(info) ? 0 : NC_ETRUNCATED;
}

static inline uint8_t rc_dec_next_byte(RCDecoder *dec)
{
    uint8_t b = dec->pos < dec->size ? dec->buf[dec->pos] : 0;
    dec->pos++;
    return b;
}

static inline void rc_dec_normalize(RCDecoder *dec)
{
    while (dec->range < RC_BOT) {
        dec->code = (dec->code << 8) | rc_dec_next_byte(dec);
        dec->range <<= 8;
    }
}

/* Two-step decode for custom models: rc_decode_target() returns the position v in
 * [0, 2^prec) of the code value; the caller finds the symbol whose interval
 * [start, start + freq) holds v and calls rc_decode_update() with it. */
static inline uint32_t rc_decode_target(RCDecoder *dec, unsigned prec)
{
    if (prec > RC_MAX_PREC) { /* caller bug (or a precision read from a bad header) */
        dec->error = NC_EINVALIDDATA;
        prec = RC_MAX_PREC;
    }
    dec->r = dec->range >> prec;
    uint64_t v = dec->code / dec->r;
    if (v >> prec) { /* in the sliver above r * 2^prec: no encoder goes there */
        dec->error = NC_EINVALIDDATA;
        v = ((uint64_t)1 << prec) - 1;
    }
    return (uint32_t)v;
}

/* rc_decode_target() for a total that need not be a power of two (see
 * rc_encode_interval(); recip = rc_total_recip(total)): v in [0, total). */
static inline uint32_t rc_decode_target_total(RCDecoder *dec, uint32_t total, uint64_t recip)
{
    if (total - 2u > RC_MAX_TOTAL - 2u) { /* caller bug */
        dec->error = NC_EINVALIDDATA;
        total = RC_MAX_TOTAL;
        recip = rc_total_recip(total);
    }
    dec->r = rc_range_unit(dec->range, recip);
    uint64_t v = dec->code / dec->r;
    if (v >= total) { /* in the sliver above r * total: no encoder goes there */
        dec->error = NC_EINVALIDDATA;
        v = total - 1;
    }
    return (uint32_t)v;
}

static inline void rc_decode_update(RCDecoder *dec, uint32_t start, uint32_t freq)
{
    dec->code -= dec->r * start;
    dec->range = dec->r * freq;
    if (dec->code >= dec->range) { /* after a clamped target, or freq 0 from a bad model */
        dec->error = NC_EINVALIDDATA;
        if (dec->range == 0) dec->range = dec->r; /* keep the state valid: no hang */
        dec->code = dec->range - 1;
    }
    rc_dec_normalize(dec);
}

/* Largest s < nsyms with cdf[s] <= v: the symbol whose interval holds v. Skips
 * zero-frequency symbols. */
static inline unsigned rc_cdf_find(const uint32_t *cdf, unsigned nsyms, uint32_t v)
{
    unsigned lo = 0, n = nsyms;
    while (n > 1) {
        unsigned half = n >> 1;
        lo = cdf[lo + half] <= v ? lo + half : lo;
        n -= half;
    }
    return lo;
}

/* Decodes a symbol coded with rc_encode_cdf() with the same cdf, nsyms and prec.
 * The CDF must be valid (see rc_cdf_check() in entropy/cdf.h); the result is
 * always < nsyms and has nonzero frequency. */
static inline unsigned rc_decode_cdf(RCDecoder *dec, const uint32_t *cdf, unsigned nsyms,
                                     unsigned prec)
{
    uint32_t v = rc_decode_target(dec, prec);
    unsigned s = rc_cdf_find(cdf, nsyms, v);
    rc_decode_update(dec, cdf[s], cdf[s + 1] - cdf[s]);
    return s;
}

/* Decodes nbits (0..RC_MAX_BITS) raw bits coded with rc_encode_bits(). */
static inline uint32_t rc_decode_bits(RCDecoder *dec, unsigned nbits)
{
    uint32_t value = 0;
    if (nbits > RC_MAX_BITS) {
        dec->error = NC_EINVALIDDATA;
        return 0;
    }
    if (nbits > 16) {
        nbits -= 16;
        uint32_t hi = rc_decode_target(dec, 16);
        rc_decode_update(dec, hi, 1);
        value = hi << nbits;
    }
    if (nbits) {
        uint32_t lo = rc_decode_target(dec, nbits);
        rc_decode_update(dec, lo, 1);
        value |= lo;
    }
    return value;
}

#endif
