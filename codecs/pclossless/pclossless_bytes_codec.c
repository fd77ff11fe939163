/* The pclossless_bytes encoder and decoder: text and raw bytes through the
 * pclossless circuit, one packet per frame (pclossless_bytes.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pclossless_bytes.h"
#include "libnc/codec_internal.h"

#define PC_BYTES_CODEC                                                                 \
    .name = "pclossless_bytes",                                                        \
    .long_name = "lossless text and bytes with a probabilistic circuit (HCLT)",        \
    .media_type = NC_MEDIA_BYTES, .capabilities = NC_CODEC_CAP_LOSSLESS,              \
    .model_arch = PC_MODEL_ARCH

static const NCOption encoder_options[] = {
    {"model", "id of the model to code with (pclossless-text; any pclossless model works)",
     NC_OPT_STRING, offsetof(PCEncoder, model_id), {.s = PC_BYTES_DEFAULT_MODEL}, 0,
     NC_MODEL_MAX_ID, NULL, NULL},
    NC_OPTION_MODEL_PATH(PCEncoder, model_path),
    NC_OPTION_END,
};

static int bytes_encode(NCCodecContext *ctx, const NCFrame *frame, NCPacket *pkt)
{
    PCEncoder *p = ctx->priv_data;
    if (frame->nb_bytes > PC_BYTES_MAX_FRAME) {
        nc_log(ctx, NC_LOG_ERROR, "a frame holds at most %zu bytes, not %zu",
               PC_BYTES_MAX_FRAME, frame->nb_bytes);
        return NC_EINVAL;
    }
    rc_enc_reset(&p->enc);
    int ret = pc_encode_bytes(&p->pcx, &p->enc, frame->data[0], frame->nb_bytes);
    return ret < 0 ? ret : pc_encoder_packet(p, pkt);
}

const NCCodecDef pclossless_bytes_encoder = {
    .p = {PC_BYTES_CODEC, .options = encoder_options},
    .is_encoder = 1,
    .priv_size = sizeof(PCEncoder),
    .init = pc_encoder_init,
    .close = pc_encoder_close,
    .encode = bytes_encode,
};

static const NCOption decoder_options[] = {
    NC_OPTION_MODEL_PATH(PCDecoder, model_path),
    {"max_frame_bytes", "largest frame to decode; a packet announcing more fails (NC_ERANGE)",
     NC_OPT_INT, offsetof(PCDecoder, max_frame_bytes), {.i = PC_BYTES_MAX_FRAME}, 0,
     PC_BYTES_MAX_FRAME, NULL, "bytes"},
    NC_OPTION_END,
};

static int bytes_decode(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    PCDecoder *p = ctx->priv_data;
    RCDecoder dec;
    rc_dec_init(&dec, pkt->data, pkt->size);
    uint8_t *bytes;
    size_t n;
    int ret = pc_decode_bytes(&p->pcx, &dec, (size_t)p->max_frame_bytes, &bytes, &n);
    if (ret >= 0) ret = rc_dec_finish(&dec);
    if (ret >= 0) { /* only a packet that decoded cleanly becomes a frame */
        frame->media_type = NC_MEDIA_BYTES;
        frame->nb_bytes = n;
        ret = nc_frame_get_buffer(frame);
        if (ret >= 0 && n) memcpy(frame->data[0], bytes, n);
    } else if (ret == NC_ERANGE) {
        nc_log(ctx, NC_LOG_ERROR, "a frame above max_frame_bytes (%d)",
               p->max_frame_bytes);
    } else if (ret != NC_ENOMEM && ret != NC_EINTR &&
               !(ret == NC_ETRUNCATED && rc_dec_consumed(&dec) <= dec.size)) {
        /* (a truncation found before reading past the end is the length refused up
         * front, which pc_decode_bytes() logged with the sizes) */
        nc_log(ctx, NC_LOG_ERROR, "damaged packet (%s)", nc_strerror(ret));
    }
    free(bytes);
    return ret;
}

static int bytes_check_packet(NCCodecContext *ctx, const NCPacket *pkt)
{
    PCDecoder *p = ctx->priv_data;
    return pc_check_bytes_packet(&p->pcx, pkt->data, pkt->size);
}

const NCCodecDef pclossless_bytes_decoder = {
    .p = {PC_BYTES_CODEC, .options = decoder_options},
    .priv_size = sizeof(PCDecoder),
    .init = pc_decoder_init,
    .close = pc_decoder_close,
    .decode = bytes_decode,
    .check_packet = bytes_check_packet,
};
