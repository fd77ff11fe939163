/* Range decoder: start and end of a stream; the per-symbol code is inline in
 * range_decoder.h. */
#include "entropy/range_decoder.h"

#include "entropy/tell.h"

void rc_dec_init(RCDecoder *dec, const uint8_t *buf, size_t size)
{
    dec->buf = buf;
    dec->size = buf ? size : 0;
    dec->pos = 0;
    dec->code = 0;
    dec->range = RC_TOP;
    dec->r = 0;
    dec->error = 0;
    /* The window holds 7 bytes; the encoder's first byte is the top one. */
    for (int i = 0; i < RC_WINDOW_BITS / 8; i++) dec->code = (dec->code << 8) | rc_dec_next_byte(dec);
}

uint64_t rc_dec_tell_frac(const RCDecoder *dec)
{
    return rc_tell_frac(rc_dec_consumed(dec) - 1, dec->range);
}

int rc_dec_finish(const RCDecoder *dec)
{
    if (dec->error) return dec->error;
    size_t used = rc_dec_consumed(dec);
    if (used > dec->size) return NC_ETRUNCATED;
    for (size_t i = used; i < dec->size; i++)
        if (dec->buf[i]) return NC_EINVALIDDATA;
    return 0;
}
