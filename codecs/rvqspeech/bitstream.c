/* Stream header and packet coding (bitstream.h; spec in conformance/spec/rvqspeech.md). */
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/bitstream.h"
#include "codecs/rvqspeech/spectral.h"
#include "entropy/cdf.h"
#include "libnc/model/model_format.h"
#include "nc/error.h"
#include "nc/log.h"

#define CDF_PREC 16

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static unsigned get16(const uint8_t *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

size_t rvq_header_write(const NCRvqHeader *h, const NCModel *model, uint8_t *buf)
{
    const uint8_t fields[NC_RVQ_HEADER_FIELDS] = {(uint8_t)h->flags, (uint8_t)h->stages,
                                                  (uint8_t)h->packet_frames};
    return nci_model_header_write(buf, NC_RVQ_HEADER_ID_PREFIX, h->version, fields,
                                  NC_RVQ_HEADER_FIELDS, model);
}

static int bad(const char *why)
{
    nc_log(NULL, NC_LOG_ERROR, "rvqspeech: invalid stream header: %s", why);
    return NC_EINVALIDDATA;
}

/* The fields both forms share: flags, stages, frames per packet. */
static int check_fields(NCRvqHeader *h, const uint8_t f[NC_RVQ_HEADER_FIELDS])
{
    if (f[0] & ~(NC_RVQ_FLAG_NOMINAL | NC_RVQ_FLAG_GAINS | NC_RVQ_FLAG_PHASE))
        return bad("unknown flags");
    h->flags = f[0];
    h->gains = !!(f[0] & NC_RVQ_FLAG_GAINS);
    h->phase = !!(f[0] & NC_RVQ_FLAG_PHASE);
    if (h->gains && h->version < NC_RVQ_VERSION_GAINS)
        return bad("band gains before version 3");
    if (h->gains && (h->flags & NC_RVQ_FLAG_NOMINAL))
        return bad("band gains in a constant-rate stream");
    if (h->phase && h->version < NC_RVQ_VERSION_PHASE)
        return bad("phase turns before version 4");
    if (h->phase && !h->gains)
        return bad("phase turns without band gains");
    h->stages = f[1];
    h->packet_frames = f[2];
    if (h->stages < 1 || h->stages > NC_RVQ_MAX_STAGES)
        return bad("stage count outside 1..12");
    if (h->packet_frames < 1 || h->packet_frames > NC_RVQ_MAX_PACKET_FRAMES)
        return bad("frames per packet outside 1..200");
    return 0;
}

/* The classic header: RVQS, version, the fields, the fixed 16 kHz / 320 / 10 bits,
 * the model id and its full SHA-256. */
static int parse_classic(NCRvqHeader *h, const uint8_t *buf, size_t size)
{
    if (size < 16 || memcmp(buf, "RVQS", 4))
        return bad("no RVQS magic");
    if (buf[4] < 1 || buf[4] >= NC_RVQ_VERSION_GAINS)
        return bad("unknown version");
    h->version = buf[4];
    int ret = check_fields(h, buf + 5);
    if (ret < 0)
        return ret;
    if (get32(buf + 8) != 16000 || get16(buf + 12) != NC_RVQ_HOP || buf[14] != NC_RVQ_CODE_BITS)
        return bad("not 16 kHz, 320-sample frames, 10-bit indices");
    size_t id_len = buf[15];
    if (id_len < 1 || id_len > 63 || size != 16 + id_len + 32)
        return bad("bad model id length or header size");
    memcpy(h->model.id, buf + 16, id_len);
    if (!ncm_valid_id(h->model.id, id_len, NC_MODEL_MAX_ID))
        return bad("model id has characters outside [A-Za-z0-9._-]");
    memcpy(h->model.sha256, buf + 16 + id_len, 32);
    h->model.sha256_len = 32;
    return 0;
}

int rvq_header_parse(NCRvqHeader *h, const uint8_t *buf, size_t size)
{
    memset(h, 0, sizeof(*h));
    if (!buf || !size || !(buf[0] & NCI_MODEL_HEADER_COMPACT))
        return parse_classic(h, buf, size);
    uint8_t fields[NC_RVQ_HEADER_FIELDS];
    int ret = nci_model_header_parse(NULL, buf, size, "RVQ", NC_RVQ_HEADER_ID_PREFIX,
                                     NC_RVQ_VERSION, fields, NC_RVQ_HEADER_FIELDS, &h->model);
    h->version = h->model.version;
    return ret < 0 ? ret : check_fields(h, fields);
}

int rvq_coder_init(NCRvqCoder *c, const NCRvqModel *m, int stages, int gains, int phase)
{
    memset(c, 0, sizeof(*c));
    if ((gains && rvq_gain_coder_init(&c->gain) < 0) || (phase && rvq_phase_coder_init(&c->phase) < 0)) {
        rvq_coder_free(c);
        return NC_ENOMEM;
    }
    const int K = m->shape.codes;
    uint32_t *cdf = malloc(sizeof(uint32_t) * (size_t)(K + 1));
    if (!cdf)
        return NC_ENOMEM;
    int ret = 0;
    for (int s = 0; s < stages && ret >= 0; s++) {
        ret = rc_cdf_from_weights(cdf, m->prior_counts + (size_t)s * K, (unsigned)K, CDF_PREC, 0);
        if (ret >= 0)
            ret = rc_adaptive_init_cdf(&c->start[s], cdf, (unsigned)K, CDF_PREC, NC_RVQ_CDF_RATE, 1);
        if (ret >= 0)
            ret = rc_adaptive_init(&c->cdf[s], (unsigned)K, NC_RVQ_CDF_RATE);
        c->stages = s + 1;
        /* P(repeat) from the model; P(bit = 0) on the 2^31 scale, already trusted */
        rc_bin_init(&c->repeat_start[s], NC_RVQ_REPEAT_RATE);
        c->repeat_start[s].p0 = (uint32_t)(65536 - m->prior_repeat[s]) << RC_BIN_SHIFT;
        c->repeat_start[s].count = (uint16_t)(1u << (NC_RVQ_REPEAT_RATE - 1));
    }
    free(cdf);
    if (ret < 0)
        rvq_coder_free(c);
    return ret;
}

void rvq_coder_free(NCRvqCoder *c)
{
    for (int s = 0; s < c->stages; s++) {
        rc_adaptive_free(&c->start[s]);
        rc_adaptive_free(&c->cdf[s]);
    }
    rvq_gain_coder_free(&c->gain);
    rvq_phase_coder_free(&c->phase);
    memset(c, 0, sizeof(*c));
}

static void coder_reset(NCRvqCoder *c)
{
    for (int s = 0; s < c->stages; s++) {
        rc_adaptive_copy(&c->cdf[s], &c->start[s]);
        c->repeat[s] = c->repeat_start[s];
    }
    if (c->gain.on)
        rvq_gain_coder_reset(&c->gain);
    if (c->phase.on)
        rvq_phase_coder_reset(&c->phase);
}

size_t rvq_nominal_size(int frames, int stages)
{
    return NC_RVQ_PACKET_HEADER + ((size_t)frames * (size_t)stages * NC_RVQ_CODE_BITS + 7) / 8;
}

static void write_nominal(const int *idx, int count, uint8_t *dst)
{
    uint32_t acc = 0;
    int bits = 0;
    for (int i = 0; i < count; i++) {
        acc = (acc << NC_RVQ_CODE_BITS) | (uint32_t)idx[i];
        bits += NC_RVQ_CODE_BITS;
        while (bits >= 8) {
            *dst++ = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    if (bits)
        *dst = (uint8_t)(acc << (8 - bits));
}

static void read_nominal(const uint8_t *src, int count, int *idx)
{
    uint32_t acc = 0;
    int bits = 0;
    for (int i = 0; i < count; i++) {
        while (bits < NC_RVQ_CODE_BITS) {
            acc = (acc << 8) | *src++;
            bits += 8;
        }
        idx[i] = (int)((acc >> (bits - NC_RVQ_CODE_BITS)) & (NC_RVQ_CODES - 1));
        bits -= NC_RVQ_CODE_BITS;
    }
}

/* Whether packets of h carry their counts in the range-coder stream (version 2,
 * entropy-coded) instead of a 3-byte header. */
static int counts_in_band(const NCRvqHeader *h)
{
    return h->version >= 2 && !(h->flags & NC_RVQ_FLAG_NOMINAL);
}

/* Version 2: "full" (P frames, 320 P samples) at probability 1 - 2^-12, else the
 * frame count - 1 in 8 raw bits and the sample count in 16. */
static void encode_counts(RCEncoder *enc, int packet_frames, int n, int nsamples)
{
    int full = n == packet_frames && nsamples == n * NC_RVQ_HOP;
    rc_encode_freq(enc, full ? 1 : 0, full ? (1u << NC_RVQ_FULL_PREC) - 1 : 1, NC_RVQ_FULL_PREC);
    if (!full) {
        rc_encode_bits(enc, (uint32_t)(n - 1), 8);
        rc_encode_bits(enc, (uint32_t)nsamples, 16);
    }
}

static void decode_counts(RCDecoder *dec, int packet_frames, int *n, int *nsamples)
{
    if (rc_decode_target(dec, NC_RVQ_FULL_PREC) >= 1) {
        rc_decode_update(dec, 1, (1u << NC_RVQ_FULL_PREC) - 1);
        *n = packet_frames;
        *nsamples = packet_frames * NC_RVQ_HOP;
        return;
    }
    rc_decode_update(dec, 0, 1);
    *n = (int)rc_decode_bits(dec, 8) + 1;
    *nsamples = (int)rc_decode_bits(dec, 16);
}

int rvq_packet_write(NCRvqCoder *c, const NCRvqHeader *h, const int *idx, const int8_t *gains, int n,
                     int nsamples, uint8_t **out, size_t *size)
{
    const int S = c->stages;
    const size_t head_size = counts_in_band(h) ? 0 : NC_RVQ_PACKET_HEADER;
    uint8_t head[NC_RVQ_PACKET_HEADER] = {(uint8_t)n};
    put16(head + 1, (unsigned)nsamples);
    *out = NULL;
    if (h->flags & NC_RVQ_FLAG_NOMINAL) {
        *size = rvq_nominal_size(n, S);
        *out = calloc(*size, 1);
        if (!*out)
            return NC_ENOMEM;
        memcpy(*out, head, sizeof(head));
        write_nominal(idx, n * S, *out + NC_RVQ_PACKET_HEADER);
        return 0;
    }
    RCEncoder enc;
    rc_enc_init(&enc);
    coder_reset(c);
    if (!head_size)
        encode_counts(&enc, h->packet_frames, n, nsamples);
    for (int f = 0; f < n; f++) {
        for (int s = 0; s < S; s++) {
            int k = idx[f * S + s];
            if (f > 0) {
                int same = k == idx[(f - 1) * S + s];
                rc_encode_bin(&enc, &c->repeat[s], same);
                if (same)
                    continue;
            }
            rc_encode_adaptive(&enc, &c->cdf[s], (unsigned)k);
        }
        if (c->gain.on)
            rvq_gains_encode(&c->gain, &enc, gains + f * NC_RVQ_SIDE);
        if (c->phase.on)
            rvq_phase_encode(&c->phase, &enc, gains + f * NC_RVQ_SIDE + NC_RVQ_GAIN_BANDS);
    }
    int ret = rc_enc_flush(&enc);
    if (ret >= 0) {
        *size = head_size + enc.size;
        *out = malloc(*size);
        if (!*out)
            ret = NC_ENOMEM;
    }
    if (ret >= 0) {
        memcpy(*out, head, head_size);
        memcpy(*out + head_size, enc.buf, enc.size);
    }
    rc_enc_free(&enc);
    return ret;
}

int rvq_packet_read(NCRvqCoder *c, const NCRvqHeader *h, const uint8_t *buf, size_t size,
                    int *idx, int8_t *gains, int *n, int *nsamples)
{
    const int S = c->stages;
    const size_t head_size = counts_in_band(h) ? 0 : NC_RVQ_PACKET_HEADER;
    RCDecoder dec;
    if (head_size) {
        if (size < head_size)
            return NC_EINVALIDDATA;
        *n = buf[0];
        *nsamples = (int)get16(buf + 1);
    } else {
        rc_dec_init(&dec, buf, size);
        decode_counts(&dec, h->packet_frames, n, nsamples);
    }
    if (*n < 1 || *n > h->packet_frames || *nsamples > *n * NC_RVQ_HOP)
        return NC_EINVALIDDATA;
    if (h->flags & NC_RVQ_FLAG_NOMINAL) {
        if (size != rvq_nominal_size(*n, S))
            return NC_EINVALIDDATA;
        read_nominal(buf + head_size, *n * S, idx);
        return 0;
    }
    if (head_size)
        rc_dec_init(&dec, buf + head_size, size - head_size);
    coder_reset(c);
    for (int f = 0; f < *n && !rc_dec_error(&dec); f++) {
        for (int s = 0; s < S; s++) {
            if (f > 0 && rc_decode_bin(&dec, &c->repeat[s])) {
                idx[f * S + s] = idx[(f - 1) * S + s];
                continue;
            }
            idx[f * S + s] = (int)rc_decode_adaptive(&dec, &c->cdf[s]);
        }
        if (c->gain.on)
            rvq_gains_decode(&c->gain, &dec, gains + f * NC_RVQ_SIDE);
        if (c->phase.on)
            rvq_phase_decode(&c->phase, &dec, gains + f * NC_RVQ_SIDE + NC_RVQ_GAIN_BANDS);
    }
    return rc_dec_finish(&dec) < 0 ? NC_EINVALIDDATA : 0;
}
