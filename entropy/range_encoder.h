/* Range encoder: the one arithmetic coding engine every libnc codec writes through.
 *
 * A FIFO range coder with a 56-bit coding window (64-bit state), byte output and
 * carry propagation (LZMA-style cache + pending 0xFF run). The wide window lets one
 * engine code 16-bit CDFs with no measurable loss (the truncation of range >> prec
 * wastes < 2^-32 of the interval) and 24-bit CDFs (large alphabets such as a language
 * model's vocabulary) with < 2^-24 loss. The exact arithmetic is specified in
 * conformance/spec/entropy.md; any change to it is a bitstream version bump.
 *
 * Every symbol kind is an interval [start, start + freq) of a total 2^prec:
 *   static CDFs      rc_encode_cdf()        (this header)
 *   bypass bits      rc_encode_bits()       (this header, raw bits, no model)
 *   binary contexts  rc_encode_bin()        (entropy/adaptive_cdf.h)
 *   adaptive CDFs    rc_encode_adaptive()   (entropy/adaptive_cdf.h)
 *   adaptive counts  rc_encode_count()      (entropy/count_model.h, any total)
 *   static models    rc_encode_static()     (entropy/static_model.h, with a decode LUT)
 *   parametric       rc_encode_param()      (entropy/parametric.h)
 *   escapes          rc_encode_expgolomb()  (entropy/escape.h)
 *
 * Errors are sticky: the encode calls return nothing (they sit in inner loops) and a
 * misuse (zero-frequency symbol, bad interval) or an output failure (NC_ENOMEM,
 * NC_ENOSPC) is recorded in enc->error and returned by rc_enc_flush().
 *
 * Usage:
 *   RCEncoder enc;
 *   rc_enc_init(&enc);                     // growable buffer (or rc_enc_init_fixed)
 *   rc_encode_cdf(&enc, cdf, 256, 16, sym); ...
 *   int err = rc_enc_flush(&enc);          // appends the final byte(s)
 *   use enc.buf[0 .. enc.size)
 *   rc_enc_free(&enc);
 */
#ifndef NC_ENTROPY_RANGE_ENCODER_H
#define NC_ENTROPY_RANGE_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "nc/error.h"

/* Coding window: low keeps 56 bits plus one carry bit; range stays in (2^48, 2^56]. */
#define RC_WINDOW_BITS 56
#define RC_TOP ((uint64_t)1 << RC_WINDOW_BITS)
#define RC_BOT ((uint64_t)1 << (RC_WINDOW_BITS - 8))
/* Largest CDF precision (total = 2^prec) any rc_encode_* accepts. */
#define RC_MAX_PREC 24
/* Largest number of bypass bits one rc_encode_bits call codes. */
#define RC_MAX_BITS 32

typedef struct RCEncoder {
    uint8_t *buf;      /* output; the stream so far is buf[0 .. size) */
    size_t size;       /* bytes written to buf */
    size_t capacity;   /* allocated (growable) or caller-supplied bytes */
    int growable;      /* 1: buf is ours and grows; 0: caller buffer, NC_ENOSPC when full */
    int error;         /* first error (negative NC_E*), sticky; 0 if none */
    uint64_t low;      /* bottom of the interval, 56 bits + carry bit */
    uint64_t range;    /* interval width, in (2^48, 2^56] between symbols */
    uint64_t pending;  /* 0xFF bytes held back after cache, waiting for a carry */
    size_t stream_start; /* offset in buf where the current stream began (rc_enc_restart) */
    uint8_t cache;     /* last byte produced, held back until no carry can reach it */
    uint8_t has_cache; /* 0 until the first byte of the stream is produced */
} RCEncoder;

/* A saved encoder position, to try coding something and take it back (e.g. to fill
 * a window up to a fixed byte budget). Valid only while no rc_enc_restart/reset runs. */
typedef struct RCEncoderMark {
    uint64_t low, range, pending;
    size_t size;
    int error;
    uint8_t cache, has_cache;
} RCEncoderMark;

/* Starts a stream in a growable buffer owned by the encoder (free with rc_enc_free). */
void rc_enc_init(RCEncoder *enc);
/* Starts a stream in the caller's buffer buf[0 .. capacity); writing more than capacity
 * bytes sets NC_ENOSPC (the bytes already written stay valid, the stream does not). */
void rc_enc_init_fixed(RCEncoder *enc, uint8_t *buf, size_t capacity);
/* Frees a growable buffer; the encoder must be initialized again before reuse. */
void rc_enc_free(RCEncoder *enc);
/* Forgets everything written and starts a new stream at offset 0 (keeps the buffer). */
void rc_enc_reset(RCEncoder *enc);
/* After rc_enc_flush(): starts a new, independent stream appended at enc->size, e.g.
 * the next window of a windowed codec. */
void rc_enc_restart(RCEncoder *enc);
/* Ends the stream: appends the bytes that pin the final interval (stream length is
 * exactly rc_enc_bytes_if_flushed() before the call). Returns 0 or the sticky error. */
int rc_enc_flush(RCEncoder *enc);

/* Bytes the current stream (since its start) would occupy if flushed now. */
static inline size_t rc_enc_bytes_if_flushed(const RCEncoder *enc)
{
    return enc->size - enc->stream_start + enc->has_cache + (size_t)enc->pending + 1;
}
/* Information coded so far in the current stream, in 1/8 bits, rounded up:
 * 8 * (8 * bytes produced + 56 - log2(range)). Always <= 64 * rc_enc_bytes_if_flushed(). */
uint64_t rc_enc_tell_frac(const RCEncoder *enc);

static inline void rc_enc_mark(const RCEncoder *enc, RCEncoderMark *m)
{
    m->low = enc->low, m->range = enc->range, m->pending = enc->pending;
    m->size = enc->size, m->error = enc->error;
    m->cache = enc->cache, m->has_cache = enc->has_cache;
}
static inline void rc_enc_rewind(RCEncoder *enc, const RCEncoderMark *m)
{
    enc->low = m->low, enc->range = m->range, enc->pending = m->pending;
    enc->size = m->size, enc->error = m->error;
    enc->cache = m->cache, enc->has_cache = m->has_cache;
}

/* Out-of-line parts of the inline coder below. */
void rc_enc_put_byte_slow(RCEncoder *enc, uint8_t byte);
void rc_enc_fail(RCEncoder *enc, int err);

static inline void rc_enc_put_byte(RCEncoder *enc, uint8_t byte)
{
    if (enc->size < enc->capacity)
        enc->buf[enc->size++] = byte;
    else
        rc_enc_put_byte_slow(enc, byte);
}

/* Moves the top byte of low out of the window, resolving carries. */
static inline void rc_enc_shift_low(RCEncoder *enc)
{
    if (enc->low < ((uint64_t)0xFF << (RC_WINDOW_BITS - 8)) || enc->low >= RC_TOP) {
        uint8_t carry = (uint8_t)(enc->low >> RC_WINDOW_BITS);
        if (enc->has_cache) rc_enc_put_byte(enc, (uint8_t)(enc->cache + carry));
        for (; enc->pending; enc->pending--) rc_enc_put_byte(enc, (uint8_t)(0xFF + carry));
        enc->cache = (uint8_t)(enc->low >> (RC_WINDOW_BITS - 8));
        enc->has_cache = 1;
    } else {
        enc->pending++;
    }
    enc->low = (enc->low << 8) & (RC_TOP - 1);
}

static inline void rc_enc_normalize(RCEncoder *enc)
{
    while (enc->range < RC_BOT) {
        rc_enc_shift_low(enc);
        enc->range <<= 8;
    }
}

/* Whether [start, start + freq) of 2^prec can be coded; records NC_EINVAL if not. */
static inline int rc_freq_valid(RCEncoder *enc, uint32_t start, uint32_t freq, unsigned prec)
{
    if (freq == 0 || prec > RC_MAX_PREC || (uint64_t)start + freq > ((uint64_t)1 << prec)) {
        rc_enc_fail(enc, NC_EINVAL);
        return 0;
    }
    return 1;
}

/* Codes the interval [start, start + freq) of 2^prec (1 <= prec <= RC_MAX_PREC,
 * freq >= 1, start + freq <= 2^prec). The building block of every symbol kind. */
static inline void rc_encode_freq(RCEncoder *enc, uint32_t start, uint32_t freq, unsigned prec)
{
    if (!rc_freq_valid(enc, start, freq, prec)) return;
    uint64_t r = enc->range >> prec;
    enc->low += r * start;
    enc->range = r * freq;
    rc_enc_normalize(enc);
}

/* For hot loops: the coder's low and range held in the caller's locals, which
 * the compiler keeps in registers (through enc it must store them back after
 * every symbol, since the output bytes could alias them). Take them with
 * rc_enc_regs(), code with rc_regs_encode_freq() (the arithmetic of
 * rc_encode_freq(), so the same stream), and give them back with
 * rc_enc_put_regs() before enc is used any other way. Pass RCEncoderRegs by
 * value or to inline code only: its address escaping would put it back in memory
 * (hence the functions that take it are always inlined). */
#if defined(__GNUC__)
#define RC_REGS_INLINE static inline __attribute__((always_inline))
#else
#define RC_REGS_INLINE static inline
#endif
typedef struct RCEncoderRegs {
    uint64_t low, range;
} RCEncoderRegs;

static inline RCEncoderRegs rc_enc_regs(const RCEncoder *enc)
{
    return (RCEncoderRegs){enc->low, enc->range};
}
static inline void rc_enc_put_regs(RCEncoder *enc, RCEncoderRegs r)
{
    enc->low = r.low, enc->range = r.range;
}
/* rc_enc_normalize() on r, out of line (one symbol in several needs it). */
RCEncoderRegs rc_enc_normalize_regs(RCEncoder *enc, RCEncoderRegs r);

/* rc_regs_encode_freq() without rc_freq_valid(), for an interval valid by
 * construction (an adaptive binary context's: its p0 stays within [1, 2^16 - 1]
 * at 16 bits), where the check would sit on every bit of a hot loop. */
RC_REGS_INLINE void rc_regs_encode_valid(RCEncoder *enc, RCEncoderRegs *r, uint32_t start,
                                        uint32_t freq, unsigned prec)
{
    uint64_t u = r->range >> prec;
    r->low += u * start;
    r->range = u * freq;
    if (r->range < RC_BOT) *r = rc_enc_normalize_regs(enc, *r);
}

RC_REGS_INLINE void rc_regs_encode_freq(RCEncoder *enc, RCEncoderRegs *r, uint32_t start,
                                       uint32_t freq, unsigned prec)
{
    if (rc_freq_valid(enc, start, freq, prec)) rc_regs_encode_valid(enc, r, start, freq, prec);
}

/* Intervals of a total that need not be a power of two (2 <= total <= RC_MAX_TOTAL),
 * used by the adaptive count models (entropy/count_model.h). The width per unit is
 * r = ((range >> 8) * recip) >> 55 with recip = floor(2^63 / total): a multiply where
 * range / total would put a division on every symbol's path, and never more than
 * range / total (the coding loss is below 2^-38). The model keeps recip with its total. */
#define RC_MAX_TOTAL ((uint32_t)1 << RC_MAX_PREC)

static inline uint64_t rc_total_recip(uint32_t total)
{
    return ((uint64_t)1 << 63) / (total ? total : 1);
}

/* ((range >> 8) * recip) >> 55 for range <= 2^56 (so the result is < 2^56). */
static inline uint64_t rc_range_unit(uint64_t range, uint64_t recip)
{
    uint64_t a = range >> 8;
#if defined(__SIZEOF_INT128__) && !defined(NC_ENTROPY_PORTABLE)
    __extension__ typedef unsigned __int128 u128; /* gcc and clang; exact either way */
    return (uint64_t)(((u128)a * recip) >> 55);
#else
    uint64_t a_lo = a & 0xFFFFFFFF, a_hi = a >> 32, b_lo = recip & 0xFFFFFFFF, b_hi = recip >> 32;
    uint64_t lo = a_lo * b_lo, mid1 = a_hi * b_lo, mid2 = a_lo * b_hi, hi = a_hi * b_hi;
    uint64_t mid = (lo >> 32) + (mid1 & 0xFFFFFFFF) + (mid2 & 0xFFFFFFFF);
    hi += (mid1 >> 32) + (mid2 >> 32) + (mid >> 32);
    lo = (mid << 32) | (lo & 0xFFFFFFFF);
    return (hi << 9) | (lo >> 55);
#endif
}

/* Codes [start, start + freq) of total (freq >= 1, start + freq <= total), recip =
 * rc_total_recip(total). */
static inline void rc_encode_interval(RCEncoder *enc, uint32_t start, uint32_t freq,
                                      uint32_t total, uint64_t recip)
{
    if (freq == 0 || total > RC_MAX_TOTAL || (uint64_t)start + freq > total) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    uint64_t r = rc_range_unit(enc->range, recip);
    enc->low += r * start;
    enc->range = r * freq;
    rc_enc_normalize(enc);
}

/* Codes symbol sym with a static CDF: cdf[0 .. nsyms] nondecreasing, cdf[0] = 0,
 * cdf[nsyms] = 2^prec; symbol s has frequency cdf[s + 1] - cdf[s], which must be > 0
 * for the coded symbol. The CDF may change from one symbol to the next (a model that
 * computes a fresh CDF per symbol calls this directly). */
static inline void rc_encode_cdf(RCEncoder *enc, const uint32_t *cdf, unsigned nsyms,
                                 unsigned prec, unsigned sym)
{
    if (sym >= nsyms) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    rc_encode_freq(enc, cdf[sym], cdf[sym + 1] - cdf[sym], prec);
}

/* Codes the low nbits (0..RC_MAX_BITS) of value as raw, equiprobable bits. */
static inline void rc_encode_bits(RCEncoder *enc, uint32_t value, unsigned nbits)
{
    if (nbits > RC_MAX_BITS) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    if (nbits > 16) {
        nbits -= 16;
        rc_encode_freq(enc, (value >> nbits) & 0xFFFF, 1, 16);
    }
    if (nbits) rc_encode_freq(enc, value & ((1u << nbits) - 1), 1, nbits);
}

/* rc_encode_bits() with the state in registers (RCEncoderRegs). */
RC_REGS_INLINE void rc_regs_encode_bits(RCEncoder *enc, RCEncoderRegs *r, uint32_t value,
                                       unsigned nbits)
{
    if (nbits > RC_MAX_BITS) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    if (nbits > 16) {
        nbits -= 16;
        rc_regs_encode_freq(enc, r, (value >> nbits) & 0xFFFF, 1, 16);
    }
    if (nbits) rc_regs_encode_freq(enc, r, value & ((1u << nbits) - 1), 1, nbits);
}

#endif
