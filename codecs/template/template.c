/* The template encoder and decoder (template.h, spec.md). Packets are hostile:
 * the length is checked against max_frame_bytes before anything is allocated, the
 * range decoder never reads past the packet, and a packet whose length does not
 * match its symbols is rejected. */
#include <stddef.h>
#include <string.h>

#include "codecs/template/template.h"
#include "entropy/adaptive_cdf.h"
#include "libnc/codec_internal.h"

/* What encoder and decoder share: their options and coding state. */
typedef struct TemplateContext {
    int rate;            /* option (encoder); from the stream header (decoder) */
    int max_frame_bytes; /* option (decoder) */
    RCEncoder enc;
    int enc_ready;
} TemplateContext;

#define TEMPLATE_CODEC                                                                             \
    .name = "template", .long_name = "the codec kit's example: lossless bytes, order-0 model",     \
    .media_type = NC_MEDIA_BYTES, .capabilities = NC_CODEC_CAP_LOSSLESS

static const NCOption encoder_options[] = {
    {"rate",
     "adaptation rate of the byte model (a window of about 2^rate bytes)",
     NC_OPT_INT,
     offsetof(TemplateContext, rate),
     {.i = TEMPLATE_DEFAULT_RATE},
     TEMPLATE_MIN_RATE,
     TEMPLATE_MAX_RATE,
     NULL,
     NULL},
    NC_OPTION_END,
};

static int template_encoder_init(NCCodecContext *ctx)
{
    TemplateContext *t = ctx->priv_data;
    uint8_t header[TEMPLATE_HEADER_SIZE] = {'T', 'P', 'L', TEMPLATE_VERSION, (uint8_t)t->rate};
    int ret = nc_codec_set_extradata(ctx, header, sizeof(header));
    if (ret < 0) return ret;
    rc_enc_init(&t->enc);
    t->enc_ready = 1;
    return 0;
}

static void template_encoder_close(NCCodecContext *ctx)
{
    TemplateContext *t = ctx->priv_data;
    if (t->enc_ready) rc_enc_free(&t->enc);
}

static int template_encode(NCCodecContext *ctx, const NCFrame *frame, NCPacket *pkt)
{
    TemplateContext *t = ctx->priv_data;
    if (frame->nb_bytes > TEMPLATE_MAX_FRAME) {
        nc_log(ctx, NC_LOG_ERROR, "a frame holds at most %zu bytes, not %zu",
               TEMPLATE_MAX_FRAME, frame->nb_bytes);
        return NC_EINVAL;
    }
    RCAdaptiveCdf model;
    int ret = rc_adaptive_init(&model, 256, (unsigned)t->rate);
    if (ret < 0) return ret;
    rc_enc_reset(&t->enc);
    rc_encode_bits(&t->enc, (uint32_t)frame->nb_bytes, 32);
    for (size_t i = 0; i < frame->nb_bytes; i++)
        rc_encode_adaptive(&t->enc, &model, frame->data[0][i]);
    rc_adaptive_free(&model);
    ret = rc_enc_flush(&t->enc);
    return ret < 0 ? ret : nc_packet_from_data(pkt, t->enc.buf, t->enc.size);
}

const NCCodecDef template_encoder = {
    .p = {TEMPLATE_CODEC, .options = encoder_options},
    .is_encoder = 1,
    .priv_size = sizeof(TemplateContext),
    .init = template_encoder_init,
    .close = template_encoder_close,
    .encode = template_encode,
};

static const NCOption decoder_options[] = {
    {"max_frame_bytes",
     "largest frame to decode; a packet announcing more fails (NC_ERANGE)",
     NC_OPT_INT,
     offsetof(TemplateContext, max_frame_bytes),
     {.i = 1 << 26},
     0,
     (double)TEMPLATE_MAX_FRAME,
     NULL,
     "bytes"},
    NC_OPTION_END,
};

static int template_decoder_init(NCCodecContext *ctx)
{
    TemplateContext *t = ctx->priv_data;
    const uint8_t *h = ctx->extradata;
    if (ctx->extradata_size != TEMPLATE_HEADER_SIZE || memcmp(h, TEMPLATE_MAGIC, 3)) {
        nc_log(ctx, NC_LOG_ERROR, "the stream header is missing or damaged");
        return NC_EINVALIDDATA;
    }
    if (h[3] != TEMPLATE_VERSION) {
        nc_log(ctx, NC_LOG_ERROR, "stream version %d, this decoder reads %d", h[3],
               TEMPLATE_VERSION);
        return NC_ENOTSUP;
    }
    if (h[4] < TEMPLATE_MIN_RATE || h[4] > TEMPLATE_MAX_RATE) {
        nc_log(ctx, NC_LOG_ERROR, "invalid rate %d in the stream header", h[4]);
        return NC_EINVALIDDATA;
    }
    t->rate = h[4];
    return 0;
}

static int template_decode(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    TemplateContext *t = ctx->priv_data;
    RCDecoder dec;
    rc_dec_init(&dec, pkt->data, pkt->size);
    uint32_t n = rc_decode_bits(&dec, 32);
    if (rc_dec_error(&dec)) return NC_EINVALIDDATA;
    if (n > (uint32_t)t->max_frame_bytes) {
        nc_log(ctx, NC_LOG_ERROR, "a frame of %u bytes, above max_frame_bytes (%d)", n,
               t->max_frame_bytes);
        return NC_ERANGE;
    }
    /* every other symbol keeps 2^-20 of the range, so a byte costs at least
     * 255 * 2^-20 / ln 2 = 0.00035 bits and a packet of s bytes holds fewer than
     * 22,800 s of them: a short packet cannot announce a huge frame */
    if ((uint64_t)n > ((uint64_t)pkt->size + 8) * 32768) return NC_EINVALIDDATA;
    RCAdaptiveCdf model;
    int ret = rc_adaptive_init(&model, 256, (unsigned)t->rate);
    if (ret < 0) return ret;
    frame->media_type = NC_MEDIA_BYTES;
    frame->nb_bytes = n;
    if ((ret = nc_frame_get_buffer(frame)) >= 0) {
        for (uint32_t i = 0; i < n; i++)
            frame->data[0][i] = (uint8_t)rc_decode_adaptive(&dec, &model);
        ret = rc_dec_finish(&dec);
        if (ret < 0) nc_log(ctx, NC_LOG_ERROR, "damaged packet (%s)", nc_strerror(ret));
    }
    rc_adaptive_free(&model);
    return ret;
}

const NCCodecDef template_decoder = {
    .p = {TEMPLATE_CODEC, .options = decoder_options},
    .priv_size = sizeof(TemplateContext),
    .init = template_decoder_init,
    .decode = template_decode,
};
