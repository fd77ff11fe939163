/* The pclossless_bytes encoder and decoder: text and raw bytes through the
 * pclossless circuit, one packet per frame (pclossless_bytes.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pclossless_bytes.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

static const NCOption encoder_options[] = {
    {"model", "id of the model to code with (pclossless-text; any pclossless model works)",
     NC_OPT_STRING, offsetof(PCEncoder, model_id), {.s = PC_BYTES_DEFAULT_MODEL}, 0,
     NC_MODEL_MAX_ID, NULL, NULL},
    {"model_path", "a .ncm file or a folder holding <model>.ncm (default: the search path)",
     NC_OPT_STRING, offsetof(PCEncoder, model_path), {.s = ""}, 0, 4096, NULL, NULL},
    {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL},
};

static int bytes_encoder_init(NCCodecContext *ctx)
{
    return pc_encoder_open(ctx, ctx->priv_data);
}

static void bytes_encoder_close(NCCodecContext *ctx)
{
    pc_encoder_close(ctx->priv_data);
}

static int bytes_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    PCEncoder *p = ctx->priv_data;
    NCFrame frame = {0};
    int ret = nci_codec_get_frame(ctx, &frame);
    if (ret < 0) return ret;
    if (frame.nb_bytes > PC_BYTES_MAX_FRAME) {
        nc_log(ctx, NC_LOG_ERROR, "pclossless_bytes: a frame holds at most %zu bytes, not %zu",
               PC_BYTES_MAX_FRAME, frame.nb_bytes);
        nc_frame_unref(&frame);
        return NC_EINVAL;
    }
    rc_enc_reset(&p->enc);
    ret = pc_encode_bytes(&p->pcx, &p->enc, frame.data[0], frame.nb_bytes);
    if (ret >= 0) ret = pc_encoder_packet(p, &frame, pkt);
    nc_frame_unref(&frame);
    return ret;
}

static const NCCodecCallbacks encoder_cb = {
    .priv_size = sizeof(PCEncoder),
    .init = bytes_encoder_init,
    .close = bytes_encoder_close,
    .receive_packet = bytes_receive_packet,
};

const NCCodec nc_pclossless_bytes_encoder = {
    .name = "pclossless_bytes",
    .long_name = "lossless text and bytes with a probabilistic circuit (HCLT)",
    .media_type = NC_MEDIA_BYTES,
    .is_encoder = 1,
    .capabilities = NC_CODEC_CAP_LOSSLESS,
    .options = encoder_options,
    .cb = &encoder_cb,
};

typedef struct PCBytesDecoder {
    char *model_path;    /* option */
    int max_frame_bytes; /* option */
    PCContext pcx;
} PCBytesDecoder;

static const NCOption decoder_options[] = {
    {"model_path", "a .ncm file or a folder holding the stream's model (default: the search path)",
     NC_OPT_STRING, offsetof(PCBytesDecoder, model_path), {.s = ""}, 0, 4096, NULL, NULL},
    {"max_frame_bytes", "largest frame to decode; a packet announcing more fails (NC_ERANGE)",
     NC_OPT_INT, offsetof(PCBytesDecoder, max_frame_bytes), {.i = PC_BYTES_MAX_FRAME}, 0,
     PC_BYTES_MAX_FRAME, NULL, "bytes"},
    {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL},
};

static int bytes_decoder_init(NCCodecContext *ctx)
{
    PCBytesDecoder *p = ctx->priv_data;
    return pc_decoder_open(ctx, &p->pcx, p->model_path);
}

static void bytes_decoder_close(NCCodecContext *ctx)
{
    PCBytesDecoder *p = ctx->priv_data;
    pc_context_close(&p->pcx);
}

static int bytes_receive_frame(NCCodecContext *ctx, NCFrame *frame)
{
    PCBytesDecoder *p = ctx->priv_data;
    NCPacket pkt = {0};
    int ret = nci_codec_get_packet(ctx, &pkt);
    if (ret < 0) return ret;
    RCDecoder dec;
    rc_dec_init(&dec, pkt.data, pkt.size);
    uint8_t *bytes;
    size_t n;
    ret = pc_decode_bytes(&p->pcx, &dec, (size_t)p->max_frame_bytes, &bytes, &n);
    if (ret >= 0) ret = rc_dec_finish(&dec);
    if (ret >= 0) { /* only a packet that decoded cleanly becomes a frame */
        frame->media_type = NC_MEDIA_BYTES;
        frame->nb_bytes = n;
        ret = nc_frame_get_buffer(frame);
        if (ret >= 0 && n) memcpy(frame->data[0], bytes, n);
        frame->pts = pkt.pts;
        frame->duration = pkt.duration;
    } else if (ret == NC_ERANGE) {
        nc_log(ctx, NC_LOG_ERROR, "pclossless_bytes: a frame above max_frame_bytes (%d)",
               p->max_frame_bytes);
    } else if (ret != NC_ENOMEM && ret != NC_EINTR &&
               !(ret == NC_ETRUNCATED && rc_dec_consumed(&dec) <= dec.size)) {
        /* (a truncation found before reading past the end is the length refused up
         * front, which pc_decode_bytes() logged with the sizes) */
        nc_log(ctx, NC_LOG_ERROR, "pclossless_bytes: damaged packet (%s)", nc_strerror(ret));
    }
    if (ret < 0) nc_frame_unref(frame);
    free(bytes);
    nc_packet_unref(&pkt);
    return ret;
}

static int bytes_check_packet(NCCodecContext *ctx, const NCPacket *pkt)
{
    PCBytesDecoder *p = ctx->priv_data;
    return pc_check_bytes_packet(&p->pcx, pkt->data, pkt->size);
}

static const NCCodecCallbacks decoder_cb = {
    .priv_size = sizeof(PCBytesDecoder),
    .check_packet = bytes_check_packet,
    .init = bytes_decoder_init,
    .close = bytes_decoder_close,
    .receive_frame = bytes_receive_frame,
};

const NCCodec nc_pclossless_bytes_decoder = {
    .name = "pclossless_bytes",
    .long_name = "lossless text and bytes with a probabilistic circuit (HCLT)",
    .media_type = NC_MEDIA_BYTES,
    .is_encoder = 0,
    .capabilities = NC_CODEC_CAP_LOSSLESS,
    .options = decoder_options,
    .cb = &decoder_cb,
};
