/* Stream header, token packets and the token -> block mapping (sem_coding.h). */
#include <stdlib.h>
#include <string.h>

#include "codecs/semantic/sem_coding.h"
#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"
#include "nc/error.h"
#include "nc/log.h"

#define FULL_PREC 12

size_t sem_header_write(const SemHeader *h, const NCModel *model, uint8_t *buf)
{
    uint8_t fields[SEM_HEADER_FIELDS] = {(uint8_t)h->stages, (uint8_t)h->packet_tokens};
    return nci_model_header_write(buf, "semantic-", SEM_VERSION, fields, SEM_HEADER_FIELDS, model);
}

int sem_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, SemHeader *h)
{
    uint8_t fields[SEM_HEADER_FIELDS];
    int ret = nci_model_header_parse(log_ctx, buf, size, "SMC", "semantic-", SEM_VERSION, fields,
                                     SEM_HEADER_FIELDS, &h->pin);
    if (ret < 0)
        return ret;
    h->stages = fields[0];
    h->packet_tokens = fields[1];
    if (h->stages > SEM_MAX_STAGES || h->packet_tokens < 1 ||
        h->packet_tokens > SEM_MAX_PACKET_TOKENS) {
        nc_log(log_ctx, NC_LOG_ERROR, "semantic: bad stream header (%d stages, %d tokens a packet)",
               h->stages, h->packet_tokens);
        return NC_EINVALIDDATA;
    }
    return 0;
}

/* The absolute gain of a packet's first token: uniform over the levels. */
static void gain_cdf(uint32_t *cdf)
{
    for (int i = 0; i <= SEM_GAIN_LEVELS; i++) cdf[i] = (uint32_t)(i * (65536 / SEM_GAIN_LEVELS));
}

int sem_packet_write(const SemModel *m, const SemHeader *h, const SemToken *tok, int n,
                     int nsamples, uint8_t **data, size_t *size)
{
    uint32_t abs_cdf[SEM_GAIN_LEVELS + 1];
    gain_cdf(abs_cdf);
    RCEncoder enc;
    rc_enc_init(&enc);
    /* "full" (packet_tokens tokens, as many samples) at probability 1 - 2^-12, else
     * the token count - 1 in 8 raw bits and the sample count in 16 */
    int full = n == h->packet_tokens && nsamples == n * SEM_TOKEN_SAMPLES;
    rc_encode_freq(&enc, full ? 1 : 0, full ? (1u << FULL_PREC) - 1 : 1, FULL_PREC);
    if (!full) {
        rc_encode_bits(&enc, (uint32_t)(n - 1), 8);
        rc_encode_bits(&enc, (uint32_t)nsamples, 16);
    }
    const int dn = 2 * SEM_GAIN_DELTA + 1;
    for (int k = 0; k < n; k++) {
        if (k == 0) {
            rc_encode_cdf(&enc, abs_cdf, SEM_GAIN_LEVELS, 16, (unsigned)tok[k].gain);
            rc_encode_cdf(&enc, m->cdf_sem, (unsigned)m->sem_codes, 16, (unsigned)tok[k].sem);
        } else {
            rc_encode_cdf(&enc, m->cdf_gain, dn, 16, (unsigned)(tok[k].gain - tok[k - 1].gain + SEM_GAIN_DELTA));
            int same = tok[k].sem == tok[k - 1].sem;
            rc_encode_cdf(&enc, m->cdf_repeat, 2, 16, (unsigned)same);
            if (!same)
                rc_encode_cdf(&enc, m->cdf_sem, (unsigned)m->sem_codes, 16, (unsigned)tok[k].sem);
        }
        for (int s = 0; s < h->stages; s++)
            rc_encode_cdf(&enc, m->cdf_ac + (size_t)s * (m->ac_codes + 1), (unsigned)m->ac_codes,
                          16, (unsigned)tok[k].ac[s]);
    }
    int ret = rc_enc_flush(&enc);
    if (ret >= 0) {
        *data = malloc(enc.size ? enc.size : 1);
        if (!*data)
            ret = NC_ENOMEM;
        else
            memcpy(*data, enc.buf, enc.size);
        *size = enc.size;
    }
    rc_enc_free(&enc);
    return ret;
}

int sem_packet_read(const SemModel *m, const SemHeader *h, const uint8_t *data, size_t size,
                    SemToken *tok, int *n, int *nsamples)
{
    uint32_t abs_cdf[SEM_GAIN_LEVELS + 1];
    gain_cdf(abs_cdf);
    RCDecoder dec;
    rc_dec_init(&dec, data, size);
    if (rc_decode_target(&dec, FULL_PREC) >= 1) {
        rc_decode_update(&dec, 1, (1u << FULL_PREC) - 1);
        *n = h->packet_tokens;
        *nsamples = *n * SEM_TOKEN_SAMPLES;
    } else {
        rc_decode_update(&dec, 0, 1);
        *n = (int)rc_decode_bits(&dec, 8) + 1;
        *nsamples = (int)rc_decode_bits(&dec, 16);
        if (*n > h->packet_tokens || *nsamples > *n * SEM_TOKEN_SAMPLES)
            return NC_EINVALIDDATA;
    }
    const int dn = 2 * SEM_GAIN_DELTA + 1;
    for (int k = 0; k < *n && !rc_dec_error(&dec); k++) {
        SemToken *t = &tok[k];
        if (k == 0) {
            t->gain = (int)rc_decode_cdf(&dec, abs_cdf, SEM_GAIN_LEVELS, 16);
            t->sem = (int)rc_decode_cdf(&dec, m->cdf_sem, (unsigned)m->sem_codes, 16);
        } else {
            int g = tok[k - 1].gain + (int)rc_decode_cdf(&dec, m->cdf_gain, dn, 16) - SEM_GAIN_DELTA;
            if (g < 0 || g >= SEM_GAIN_LEVELS)
                return NC_EINVALIDDATA;
            t->gain = g;
            if (rc_decode_cdf(&dec, m->cdf_repeat, 2, 16))
                t->sem = tok[k - 1].sem;
            else
                t->sem = (int)rc_decode_cdf(&dec, m->cdf_sem, (unsigned)m->sem_codes, 16);
        }
        for (int s = 0; s < h->stages; s++)
            t->ac[s] = (int)rc_decode_cdf(&dec, m->cdf_ac + (size_t)s * (m->ac_codes + 1),
                                          (unsigned)m->ac_codes, 16);
    }
    return rc_dec_finish(&dec) < 0 ? NC_EINVALIDDATA : 0;
}

void sem_token_block(const SemModel *m, int stages, const SemToken *tok, float *block)
{
    vq_decode(&m->ac, tok->ac, stages, block);
    const float gain = (float)(tok->gain - SEM_GAIN_OFFSET) * SEM_GAIN_STEP;
    const float *mean = m->sem_shape + (size_t)tok->sem * SEM_DIM;
    for (int i = 0; i < SEM_DIM; i++) block[i] += mean[i] + gain;
}
