/* lmtext packets (lmtext.h): the stream header, and the raw, model and windows
 * forms of a packet. */
#include <string.h>

#include "codecs/lmtext/lmtext.h"
#include "entropy/adaptive_cdf.h"
#include "libnc/bytes.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

/* Fixed probabilities (of a 0, in 1/65536) of the window flags. */
#define LM_MODEL_WINDOW_P0 61440 /* a window is modelled (0) or raw (1): raw 1/16 */
#define LM_LENGTH_MAX_BYTES 3    /* LEB128 of a length <= LM_PACKET_BYTES */

int lm_context_open(LMContext *c, NCCodecContext *log_ctx, const char *id, const char *path,
                    const NCIModelPin *pin, int mode, int window_bits)
{
    memset(c, 0, sizeof(*c));
    c->mode = mode;
    c->window_bits = window_bits;
    int ret = nci_codec_find_model(log_ctx, &c->model, id, path, pin);
    if (ret < 0) return ret;
    const char *arch = nc_model_arch(c->model);
    if (strcmp(arch, LM_MODEL_ARCH)) {
        nc_log(log_ctx, NC_LOG_ERROR, "model %s is a %s, not an %s model", id, arch,
               LM_MODEL_ARCH);
        return NC_EMODEL;
    }
    if ((ret = lm_params_from_model(&c->params, c->model)) < 0) return ret;
    return lm_predictor_init(&c->lm, &c->params, mode);
}

void lm_context_close(LMContext *c)
{
    lm_predictor_free(&c->lm);
    lm_params_free(&c->params);
    nc_model_free(&c->model);
}

/* The fields between version and model: mode (1 byte), window_bits / 8 (2 bytes LE). */
enum { LM_HEADER_FIELDS = 3 };

size_t lm_header_write(const LMContext *c, uint8_t buf[LM_HEADER_MAX_SIZE])
{
    uint8_t fields[LM_HEADER_FIELDS] = {(uint8_t)c->mode};
    nci_wl16(fields + 1, (uint16_t)(c->window_bits / 8));
    return nci_model_header_write(buf, LM_HEADER_ID_PREFIX, LM_HEADER_VERSION, fields,
                                  LM_HEADER_FIELDS, c->model);
}

int lm_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, NCIModelPin *pin,
                    int *mode, int *window_bits)
{
    uint8_t fields[LM_HEADER_FIELDS];
    int ret = nci_model_header_parse(log_ctx, buf, size, LM_HEADER_MAGIC, LM_HEADER_ID_PREFIX,
                                     LM_HEADER_VERSION, fields, LM_HEADER_FIELDS, pin);
    if (ret < 0) return ret;
    int wbytes = nci_rl16(fields + 1);
    if (fields[0] > LM_MODE_MAX || (wbytes && (wbytes < LM_WINDOW_MIN_BITS / 8)) ||
        wbytes > LM_WINDOW_MAX_BITS / 8) {
        nc_log(log_ctx, NC_LOG_ERROR, "the stream header is damaged");
        return NC_EINVALIDDATA;
    }
    *mode = fields[0];
    *window_bits = wbytes * 8;
    return 0;
}

/* ---- bits through the predictor -------------------------------------------- */

static void encode_byte(LMPredictor *lm, RCEncoder *enc, int byte)
{
    for (int j = 7; j >= 0; j--) {
        int bit = byte >> j & 1;
        rc_encode_bit(enc, bit, (uint32_t)(4096 - lm_predict(lm)) << 4);
        lm_update(lm, bit);
    }
}

/* Decodes a byte and stores it at *out before the predictor sees its last bit
 * (the match model reads it there). */
static void decode_byte(LMPredictor *lm, RCDecoder *dec, uint8_t *out)
{
    int c = 0;
    for (int j = 7; j >= 0; j--) {
        int bit = rc_decode_bit(dec, (uint32_t)(4096 - lm_predict(lm)) << 4);
        c = c << 1 | bit;
        if (!j) *out = (uint8_t)c;
        lm_update(lm, bit);
    }
}

static void put_bytes(RCEncoder *enc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) rc_enc_put_byte(enc, p[i]);
}

static void put_length(RCEncoder *enc, size_t n)
{
    do {
        rc_enc_put_byte(enc, (uint8_t)((n & 127) | (n > 127 ? 128 : 0)));
        n >>= 7;
    } while (n);
}

/* ---- Equal-Info Windows ------------------------------------------------------ */

/* P(a window ends here) = 4 / window_bits (in 1/65536, as P(0)): windows hold
 * about window_bits / 4 bytes of text. */
static uint32_t stop_p0(int window_bits)
{
    return (uint32_t)(262144 / window_bits);
}

/* Most bytes of a raw window, and the bits of its count: flag (4 bits), count - 1
 * (ceil(log2 R) bits) and 8 bits a byte take at most window_bits - 7 bits, which
 * always flush within the window (raw_window_fits() in the tests checks every size). */
static size_t raw_window_max(int window_bits, int *count_bits)
{
    size_t r = window_bits >= 32 ? ((size_t)window_bits - 24) / 8 : 1;
    int b = 0;
    while (((size_t)1 << b) < r) b++;
    *count_bits = b;
    return r;
}

/* Codes one window of data[0 .. left) (left >= 1), exactly wbytes bytes appended
 * to enc; returns how many bytes it holds (0 on an encoder error). Each byte is
 * preceded by a "one more" flag and the window ends with a "no more" flag, so a
 * window decodes alone. It holds as many bytes as fit; the byte that did not fit
 * has updated the predictor, which does not matter: the next window resets it. */
static size_t encode_window(LMPredictor *lm, RCEncoder *enc, const uint8_t *data, size_t left,
                            size_t wbytes, int window_bits)
{
    size_t start = enc->size, k = 0;
    RCEncoderMark before, end;
    lm_reset(lm, data);
    rc_enc_restart(enc);
    rc_enc_mark(enc, &before);
    rc_encode_bit(enc, 0, LM_MODEL_WINDOW_P0);
    for (; k < left; k++) {
        RCEncoderMark byte_mark;
        rc_enc_mark(enc, &byte_mark);
        rc_encode_bit(enc, 1, stop_p0(window_bits));
        encode_byte(lm, enc, data[k]);
        rc_enc_mark(enc, &end);
        rc_encode_bit(enc, 0, stop_p0(window_bits));
        size_t need = rc_enc_bytes_if_flushed(enc);
        rc_enc_rewind(enc, &end);
        if (need > wbytes) {
            rc_enc_rewind(enc, &byte_mark);
            break;
        }
    }
    if (k == 0) { /* not even one byte fits: a raw window */
        int count_bits;
        rc_enc_rewind(enc, &before);
        rc_encode_bit(enc, 1, LM_MODEL_WINDOW_P0);
        k = raw_window_max(window_bits, &count_bits);
        if (k > left) k = left;
        if (count_bits) rc_encode_bits(enc, (uint32_t)(k - 1), (unsigned)count_bits);
        for (size_t i = 0; i < k; i++) rc_encode_bits(enc, data[i], 8);
    } else {
        rc_encode_bit(enc, 0, stop_p0(window_bits));
    }
    if (rc_enc_bytes_if_flushed(enc) > wbytes) rc_enc_fail(enc, NC_EINVAL); /* cannot happen */
    rc_enc_flush(enc);
    while (enc->size - start < wbytes) rc_enc_put_byte(enc, 0);
    return enc->error ? 0 : k;
}

int lm_windows_begin(LMContext *c)
{
    /* Sized by the window, not the packet, so that a window decodes with nothing
     * but the stream header. */
    return lm_begin(&c->lm, (size_t)c->window_bits, 1);
}

int lm_decode_window(LMContext *c, const uint8_t *buf, uint8_t *out, size_t left, size_t *got)
{
    RCDecoder dec;
    LMPredictor *lm = &c->lm;
    int window_bits = c->window_bits;
    size_t k = 0, wbytes = (size_t)window_bits / 8;
    rc_dec_init(&dec, buf, wbytes);
    lm_reset(lm, out);
    if (rc_decode_bit(&dec, LM_MODEL_WINDOW_P0)) {
        int count_bits;
        size_t r = raw_window_max(window_bits, &count_bits);
        k = count_bits ? rc_decode_bits(&dec, (unsigned)count_bits) + 1 : 1;
        if (k > r || k > left) return NC_EINVALIDDATA;
        for (size_t i = 0; i < k; i++) out[i] = (uint8_t)rc_decode_bits(&dec, 8);
    } else {
        while (rc_decode_bit(&dec, stop_p0(window_bits))) {
            if (k == left || rc_dec_consumed(&dec) > wbytes) return NC_EINVALIDDATA;
            decode_byte(lm, &dec, out + k);
            k++;
        }
        if (k == 0) return NC_EINVALIDDATA; /* an encoder never writes an empty window */
    }
    *got = k;
    return rc_dec_finish(&dec);
}

/* ---- packets ------------------------------------------------------------------ */

int lm_encode_packet(LMContext *c, const uint8_t *data, size_t n, RCEncoder *out)
{
    if (n > LM_PACKET_BYTES) return NC_EINVAL;
    int ret = 0;
    rc_enc_reset(out);
    if (n) {
        rc_enc_put_byte(out, c->window_bits ? LM_PACKET_WINDOWS : LM_PACKET_MODEL);
        put_length(out, n);
        ret = c->window_bits ? lm_windows_begin(c) : lm_begin(&c->lm, n, 0);
        if (ret < 0) return ret;
        if (c->window_bits) {
            size_t wbytes = (size_t)c->window_bits / 8;
            for (size_t at = 0; at < n && !out->error;)
                at += encode_window(&c->lm, out, data + at, n - at, wbytes, c->window_bits);
        } else {
            rc_enc_restart(out);
            lm_reset(&c->lm, data);
            for (size_t i = 0; i < n; i++) encode_byte(&c->lm, out, data[i]);
            rc_enc_flush(out);
        }
        if (out->error) return out->error;
    }
    if (!n || out->size > n + 1) { /* raw fallback: one byte more than the input */
        rc_enc_reset(out);
        rc_enc_put_byte(out, LM_PACKET_RAW);
        put_bytes(out, data, n);
    }
    return out->error;
}

static int read_length(const uint8_t *buf, size_t size, size_t *pos, size_t *n)
{
    size_t v = 0;
    for (int i = 0; i < LM_LENGTH_MAX_BYTES; i++) {
        if (*pos >= size) return NC_ETRUNCATED;
        uint8_t b = buf[(*pos)++];
        v |= (size_t)(b & 127) << (7 * i);
        if (!(b & 128)) {
            if (i && !b) return NC_EINVALIDDATA; /* only the shortest form is valid */
            *n = v;
            return v >= 1 && v <= LM_PACKET_BYTES ? 0 : NC_EINVALIDDATA;
        }
    }
    return NC_EINVALIDDATA;
}

int lm_decode_packet(LMContext *c, const uint8_t *buf, size_t size, size_t max_bytes,
                     uint8_t *out, size_t *n_out)
{
    size_t pos = 1, n;
    *n_out = 0;
    if (size < 1) return NC_EINVALIDDATA;
    if (buf[0] == LM_PACKET_RAW) {
        if (size - 1 > LM_PACKET_BYTES) return NC_EINVALIDDATA;
        if (size - 1 > max_bytes) return NC_ERANGE;
        memcpy(out, buf + 1, size - 1);
        *n_out = size - 1;
        return 0;
    }
    if (buf[0] != (c->window_bits ? LM_PACKET_WINDOWS : LM_PACKET_MODEL)) return NC_EINVALIDDATA;
    int ret = read_length(buf, size, &pos, &n);
    if (ret < 0) return ret;
    if (n > max_bytes) return NC_ERANGE;
    ret = c->window_bits ? lm_windows_begin(c) : lm_begin(&c->lm, n, 0);
    if (ret < 0) return ret;
    if (c->window_bits) {
        size_t wbytes = (size_t)c->window_bits / 8, done = 0;
        while (done < n) {
            if (size - pos < wbytes) return NC_ETRUNCATED;
            size_t got;
            ret = lm_decode_window(c, buf + pos, out + done, n - done, &got);
            if (ret < 0) return ret;
            done += got;
            pos += wbytes;
        }
        if (pos != size) return NC_EINVALIDDATA;
    } else {
        RCDecoder dec;
        rc_dec_init(&dec, buf + pos, size - pos);
        lm_reset(&c->lm, out);
        for (size_t i = 0; i < n; i++) {
            decode_byte(&c->lm, &dec, out + i);
            /* a damaged packet has run out long before a valid one could */
            if (rc_dec_consumed(&dec) > size - pos + 8) return NC_ETRUNCATED;
        }
        if ((ret = rc_dec_finish(&dec)) < 0) return ret;
    }
    *n_out = n;
    return 0;
}
