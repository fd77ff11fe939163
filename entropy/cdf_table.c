/* CDF tables in a stream: Exp-Golomb frequencies with an order that follows the
 * previous frequency. */
#include "entropy/cdf_table.h"

#include "entropy/cdf.h"
#include "entropy/escape.h"

/* Exp-Golomb order for the frequency after one of value prev. */
static unsigned next_order(uint32_t prev)
{
    unsigned k = 0;
    for (uint32_t v = prev + 1; v > 1 && k < 16; v >>= 1) k++;
    return k;
}

void rc_encode_cdf_table(RCEncoder *enc, const uint32_t *cdf, unsigned nsyms, unsigned prec)
{
    if (rc_cdf_check(cdf, nsyms, prec)) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    uint32_t prev = 0;
    for (unsigned s = 0; s + 1 < nsyms; s++) {
        uint32_t f = cdf[s + 1] - cdf[s];
        rc_encode_expgolomb(enc, f, next_order(prev));
        prev = f;
    }
}

int rc_decode_cdf_table(RCDecoder *dec, uint32_t *cdf, unsigned nsyms, unsigned prec)
{
    if (prec < 1 || prec > RC_MAX_PREC || nsyms < 1 || nsyms > (1u << prec)) return NC_EINVAL;
    uint32_t total = 1u << prec, prev = 0;
    cdf[0] = 0;
    for (unsigned s = 0; s + 1 < nsyms; s++) {
        uint32_t f = rc_decode_expgolomb(dec, next_order(prev));
        if (f > total - cdf[s] || rc_dec_error(dec)) {
            dec->error = NC_EINVALIDDATA;
            rc_cdf_uniform(cdf, nsyms, prec);
            return NC_EINVALIDDATA;
        }
        cdf[s + 1] = cdf[s] + f;
        prev = f;
    }
    cdf[nsyms] = total;
    return 0;
}
