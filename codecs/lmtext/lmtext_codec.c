/* The lmtext encoder and decoder: one packet per frame of at most LM_PACKET_BYTES
 * bytes (lmtext.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/lmtext/lmtext.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

static const NCOptionEnumValue mode_values[] = {
    {"fast", LM_MODE_FAST, "orders 0-4 and 6, words, word pairs, match model"},
    {"max", LM_MODE_MAX, "adds orders 5 and 8, three-word and sparse contexts (the default)"},
    {NULL, 0, NULL},
};

typedef struct LMEncoder {
    char *model_id;   /* option */
    char *model_path; /* option */
    int mode;         /* option */
    int window_bits;  /* option */
    LMContext c;
    RCEncoder enc;
    int enc_ready;
} LMEncoder;

static const NCOption encoder_options[] = {
    {"model", "id of the model to code with", NC_OPT_STRING, offsetof(LMEncoder, model_id),
     {.s = LM_DEFAULT_MODEL}, 0, NC_MODEL_MAX_ID, NULL, NULL},
    NC_OPTION_MODEL_PATH(LMEncoder, model_path),
    {"mode", "speed against size", NC_OPT_ENUM, offsetof(LMEncoder, mode), {.i = LM_MODE_MAX}, 0,
     0, mode_values, NULL},
    {"window_bits", "Equal-Info Windows of exactly this many bits, coder and model reset in "
                    "each (a multiple of 8, 16..65536); 0: off",
     NC_OPT_INT, offsetof(LMEncoder, window_bits), {.i = 0}, 0, LM_WINDOW_MAX_BITS, NULL, "bits"},
    NC_OPTION_END,
};

static int lm_encoder_init(NCCodecContext *ctx)
{
    LMEncoder *p = ctx->priv_data;
    if (p->window_bits && (p->window_bits < LM_WINDOW_MIN_BITS || p->window_bits % 8)) {
        nc_log(ctx, NC_LOG_ERROR, "window_bits must be 0 or a multiple of 8 >= %d",
               LM_WINDOW_MIN_BITS);
        return NC_EINVAL;
    }
    int ret = lm_context_open(&p->c, ctx, p->model_id, p->model_path, NULL, p->mode,
                              p->window_bits);
    if (ret < 0) return ret;
    uint8_t header[LM_HEADER_MAX_SIZE];
    size_t size = lm_header_write(&p->c, header);
    if ((ret = nc_codec_set_extradata(ctx, header, size)) < 0) return ret;
    ctx->frame_size = (int)LM_PACKET_BYTES; /* what nc-enc sends per frame */
    rc_enc_init(&p->enc);
    p->enc_ready = 1;
    return 0;
}

static void lm_encoder_close(NCCodecContext *ctx)
{
    LMEncoder *p = ctx->priv_data;
    lm_context_close(&p->c);
    if (p->enc_ready) rc_enc_free(&p->enc);
    p->enc_ready = 0;
}

static int lm_encode(NCCodecContext *ctx, const NCFrame *frame, NCPacket *pkt)
{
    LMEncoder *p = ctx->priv_data;
    if (frame->nb_bytes > LM_PACKET_BYTES) {
        nc_log(ctx, NC_LOG_ERROR, "a frame holds at most %zu bytes, not %zu", LM_PACKET_BYTES,
               frame->nb_bytes);
        return NC_EINVAL;
    }
    int ret = lm_encode_packet(&p->c, frame->data[0], frame->nb_bytes, &p->enc);
    return ret < 0 ? ret : nc_packet_from_data(pkt, p->enc.buf, p->enc.size);
}

#define LMTEXT_CODEC                                                                     \
    .name = "lmtext", .long_name = "lossless text with a context-mixing language model", \
    .media_type = NC_MEDIA_BYTES, .capabilities = NC_CODEC_CAP_LOSSLESS,                  \
    .model_arch = LM_MODEL_ARCH

const NCCodecDef lmtext_encoder = {
    .p = {LMTEXT_CODEC, .options = encoder_options},
    .is_encoder = 1,
    .priv_size = sizeof(LMEncoder),
    .init = lm_encoder_init,
    .close = lm_encoder_close,
    .encode = lm_encode,
};

typedef struct LMDecoder {
    char *model_path;    /* option */
    int max_frame_bytes; /* option */
    LMContext c;
    uint8_t *out;
} LMDecoder;

static const NCOption decoder_options[] = {
    NC_OPTION_MODEL_PATH(LMDecoder, model_path),
    {"max_frame_bytes", "largest frame to decode; a packet announcing more fails (NC_ERANGE)",
     NC_OPT_INT, offsetof(LMDecoder, max_frame_bytes), {.i = (int)LM_PACKET_BYTES}, 0,
     (double)LM_PACKET_BYTES, NULL, "bytes"},
    NC_OPTION_END,
};

static int lm_decoder_init(NCCodecContext *ctx)
{
    LMDecoder *p = ctx->priv_data;
    NCIModelPin pin;
    int mode, window_bits;
    int ret = lm_header_parse(ctx, ctx->extradata, ctx->extradata_size, &pin, &mode, &window_bits);
    if (ret < 0) return ret;
    if ((ret = lm_context_open(&p->c, ctx, pin.id, p->model_path, &pin, mode, window_bits)) < 0)
        return ret;
    p->out = malloc(LM_PACKET_BYTES);
    return p->out ? 0 : NC_ENOMEM;
}

static void lm_decoder_close(NCCodecContext *ctx)
{
    LMDecoder *p = ctx->priv_data;
    lm_context_close(&p->c);
    free(p->out);
    p->out = NULL;
}

static int lm_decode(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    LMDecoder *p = ctx->priv_data;
    size_t n;
    int ret = lm_decode_packet(&p->c, pkt->data, pkt->size, (size_t)p->max_frame_bytes, p->out,
                               &n);
    if (ret >= 0) { /* only a packet that decoded cleanly becomes a frame */
        frame->media_type = NC_MEDIA_BYTES;
        frame->nb_bytes = n;
        ret = nc_frame_get_buffer(frame);
        if (ret >= 0 && n) memcpy(frame->data[0], p->out, n);
    } else if (ret == NC_ERANGE) {
        nc_log(ctx, NC_LOG_ERROR, "a frame above max_frame_bytes (%d)", p->max_frame_bytes);
    } else if (ret != NC_ENOMEM && ret != NC_EINTR) {
        nc_log(ctx, NC_LOG_ERROR, "damaged packet (%s)", nc_strerror(ret));
    }
    return ret;
}

const NCCodecDef lmtext_decoder = {
    .p = {LMTEXT_CODEC, .options = decoder_options},
    .priv_size = sizeof(LMDecoder),
    .init = lm_decoder_init,
    .close = lm_decoder_close,
    .decode = lm_decode,
};
