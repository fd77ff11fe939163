/* Range encoder: buffer management, flush and tell; the per-symbol code is inline in
 * range_encoder.h. */
#include "entropy/range_encoder.h"

#include <stdlib.h>
#include <string.h>

#include "entropy/tell.h"

static void start_stream(RCEncoder *enc)
{
    enc->low = 0;
    enc->range = RC_TOP;
    enc->pending = 0;
    enc->cache = 0;
    enc->has_cache = 0;
    enc->stream_start = enc->size;
}

void rc_enc_init(RCEncoder *enc)
{
    memset(enc, 0, sizeof(*enc));
    enc->growable = 1;
    start_stream(enc);
}

void rc_enc_init_fixed(RCEncoder *enc, uint8_t *buf, size_t capacity)
{
    memset(enc, 0, sizeof(*enc));
    enc->buf = buf;
    enc->capacity = buf ? capacity : 0;
    start_stream(enc);
}

void rc_enc_free(RCEncoder *enc)
{
    if (enc->growable) free(enc->buf);
    memset(enc, 0, sizeof(*enc));
}

void rc_enc_reset(RCEncoder *enc)
{
    enc->size = 0;
    enc->error = 0;
    start_stream(enc);
}

void rc_enc_restart(RCEncoder *enc)
{
    start_stream(enc);
}

void rc_enc_fail(RCEncoder *enc, int err)
{
    if (!enc->error) enc->error = err;
}

void rc_enc_put_byte_slow(RCEncoder *enc, uint8_t byte)
{
    if (enc->error) return; /* the stream is void; stop writing */
    if (!enc->growable) {
        rc_enc_fail(enc, NC_ENOSPC);
        return;
    }
    size_t cap = enc->capacity ? enc->capacity * 2 : 4096;
    if (cap < enc->capacity) {
        rc_enc_fail(enc, NC_ENOMEM);
        return;
    }
    uint8_t *grown = realloc(enc->buf, cap);
    if (!grown) {
        rc_enc_fail(enc, NC_ENOMEM);
        return;
    }
    enc->buf = grown;
    enc->capacity = cap;
    enc->buf[enc->size++] = byte;
}

int rc_enc_flush(RCEncoder *enc)
{
    /* The shortest tail: the smallest value >= low with all bits below the top byte
     * zero. It lies inside [low, low + range) because range > 2^48, and the decoder
     * reads the zeros after the end implicitly. */
    enc->low = (enc->low + (RC_BOT - 1)) & ~(RC_BOT - 1);
    rc_enc_shift_low(enc); /* the final byte goes to the cache */
    rc_enc_shift_low(enc); /* low is 0 now: this writes the cache and any 0xFF run */
    enc->has_cache = 0;    /* the 0 byte just cached is implicit */
    enc->range = RC_TOP;
    return enc->error;
}

uint64_t rc_enc_tell_frac(const RCEncoder *enc)
{
    uint64_t bytes = enc->size - enc->stream_start + enc->has_cache + enc->pending;
    return rc_tell_frac(bytes, enc->range);
}

RCEncoderRegs rc_enc_normalize_regs(RCEncoder *enc, RCEncoderRegs r)
{
    rc_enc_put_regs(enc, r);
    rc_enc_normalize(enc);
    return rc_enc_regs(enc);
}
