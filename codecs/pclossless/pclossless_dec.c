/* The pclossless decoder: the encoder's walk in reverse. Packets are hostile: the
 * range decoder never reads outside the packet and always yields a valid pixel,
 * and a stream whose length does not match what its pixels needed is rejected. */
#include <stddef.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct PCDecoder {
    char *model_path; /* option */
    PCContext pcx;
} PCDecoder;

static const NCOption decoder_options[] = {
    {"model_path", "a .ncm file or a folder holding the stream's model (default: the search path)",
     NC_OPT_STRING, offsetof(PCDecoder, model_path), {.s = ""}, 0, 4096, NULL, NULL},
    {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL},
};

static int pc_decoder_init(NCCodecContext *ctx)
{
    PCDecoder *p = ctx->priv_data;
    if (!pc_channels(ctx->pix_fmt)) {
        nc_log(ctx, NC_LOG_ERROR, "pclossless: pixel format %s is not supported",
               nc_pix_fmt_name(ctx->pix_fmt) ? nc_pix_fmt_name(ctx->pix_fmt) : "?");
        return NC_ENOTSUP;
    }
    return pc_decoder_open(ctx, &p->pcx, p->model_path);
}

static void pc_decoder_close(NCCodecContext *ctx)
{
    PCDecoder *p = ctx->priv_data;
    pc_context_close(&p->pcx);
}

/* NC_ETRUNCATED (logged) when a packet of `size` bytes cannot hold the picture the
 * stream declares: checked before the picture is allocated or any work done. */
static int check_packet_size(const NCCodecContext *ctx, const PCContext *pcx, size_t size)
{
    int channels = pc_channels(ctx->pix_fmt);
    uint64_t info = (uint64_t)channels * pc_plane_info_floor(pcx, ctx->width, ctx->height);
    if (rc_stream_can_hold(size, info) == 0) return 0;
    nc_log(ctx, NC_LOG_ERROR,
           "pclossless: a %dx%d %s picture needs a packet of at least %llu bytes, this one has %zu",
           ctx->width, ctx->height, nc_pix_fmt_name(ctx->pix_fmt),
           (unsigned long long)rc_stream_min_bytes(info), size);
    return NC_ETRUNCATED;
}

static int pc_check_packet(NCCodecContext *ctx, const NCPacket *pkt)
{
    PCDecoder *p = ctx->priv_data;
    return check_packet_size(ctx, &p->pcx, pkt->size);
}

static int pc_receive_frame(NCCodecContext *ctx, NCFrame *frame)
{
    PCDecoder *p = ctx->priv_data;
    NCPacket pkt = {0};
    int ret = nci_codec_get_packet(ctx, &pkt);
    if (ret < 0) return ret;
    int channels = pc_channels(ctx->pix_fmt);
    if ((ret = check_packet_size(ctx, &p->pcx, pkt.size)) < 0) goto done;
    frame->media_type = NC_MEDIA_IMAGE;
    frame->width = ctx->width;
    frame->height = ctx->height;
    frame->pix_fmt = ctx->pix_fmt;
    if ((ret = nc_frame_get_buffer(frame)) < 0) goto done;
    RCDecoder dec;
    rc_dec_init(&dec, pkt.data, pkt.size);
    ret = pc_decode_image(&p->pcx, &dec, frame->data[0], frame->linesize[0], channels,
                          frame->width, frame->height);
    if (ret >= 0) ret = rc_dec_finish(&dec);
    if (ret < 0 && ret != NC_ENOMEM && ret != NC_EINTR)
        nc_log(ctx, NC_LOG_ERROR, "pclossless: damaged packet (%s)", nc_strerror(ret));
    if (ret < 0) {
        nc_frame_unref(frame);
        goto done;
    }
    frame->pts = pkt.pts;
    frame->duration = pkt.duration;
done:
    nc_packet_unref(&pkt);
    return ret;
}

static const NCCodecCallbacks decoder_cb = {
    .priv_size = sizeof(PCDecoder),
    .init = pc_decoder_init,
    .close = pc_decoder_close,
    .receive_frame = pc_receive_frame,
    .check_packet = pc_check_packet,
};

static const enum NCPixelFormat pc_pix_fmts[] = {NC_PIX_GRAY8, NC_PIX_RGB24, NC_PIX_NONE};

const NCCodec nc_pclossless_decoder = {
    .name = "pclossless",
    .long_name = "lossless images with a probabilistic circuit (HCLT)",
    .media_type = NC_MEDIA_IMAGE,
    .is_encoder = 0,
    .capabilities = NC_CODEC_CAP_LOSSLESS,
    .pix_fmts = pc_pix_fmts,
    .options = decoder_options,
    .cb = &decoder_cb,
};
