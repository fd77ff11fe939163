/* The walloc decoder. Packets are hostile: the range decoder never reads outside
 * the packet and yields latents in range, a bad quality or a stream whose length
 * does not match what its latents needed is rejected. */
#include <stddef.h>

#include "codecs/walloc/walloc.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct WallocDecoder {
    char *model_path; /* option */
    WallocContext wc;
} WallocDecoder;

static const NCOption decoder_options[] = {
    {"model_path", "a .ncm file or a folder holding the stream's model (default: the search path)",
     NC_OPT_STRING, offsetof(WallocDecoder, model_path), {.s = ""}, 0, 4096, NULL, NULL},
    {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL},
};

static int decoder_init(NCCodecContext *ctx)
{
    WallocDecoder *p = ctx->priv_data;
    NCIModelPin pin;
    if ((int64_t)ctx->width * ctx->height > WALLOC_MAX_PIXELS || ctx->width < 1 || ctx->height < 1) {
        nc_log(ctx, NC_LOG_ERROR, "image size %dx%d is not supported", ctx->width,
               ctx->height);
        return NC_ENOTSUP;
    }
    int ret = walloc_header_parse(ctx, ctx->extradata, ctx->extradata_size,
                                  WALLOC_HEADER_VERSION_IMAGE, &pin);
    if (ret < 0) return ret;
    return walloc_open(&p->wc, ctx, pin.id, p->model_path, &pin, 0);
}

static void decoder_close(NCCodecContext *ctx)
{
    WallocDecoder *p = ctx->priv_data;
    walloc_close(&p->wc);
}

static int walloc_decode(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    WallocDecoder *p = ctx->priv_data;
    frame->media_type = NC_MEDIA_IMAGE;
    frame->width = ctx->width;
    frame->height = ctx->height;
    frame->pix_fmt = ctx->pix_fmt;
    RCDecoder dec;
    int quality = 0;
    rc_dec_init(&dec, pkt->data, pkt->size);
    int ret = walloc_decode_latents_of_image(&p->wc, &dec, ctx->width, ctx->height, &quality);
    if (ret >= 0) ret = rc_dec_finish(&dec);
    if (ret < 0) {
        if (ret != NC_ENOMEM && ret != NC_EINTR)
            nc_log(ctx, NC_LOG_ERROR, "damaged packet (%s)", nc_strerror(ret));
        return ret;
    }
    if ((ret = nc_frame_get_buffer(frame)) < 0) return ret;
    return walloc_reconstruct(&p->wc, quality, frame->data[0], frame->linesize[0],
                              walloc_channels(ctx->pix_fmt), ctx->width, ctx->height);
}

const NCCodecDef walloc_decoder = {
    .p = {WALLOC_CODEC, .options = decoder_options},
    .priv_size = sizeof(WallocDecoder),
    .init = decoder_init,
    .close = decoder_close,
    .decode = walloc_decode,
};
