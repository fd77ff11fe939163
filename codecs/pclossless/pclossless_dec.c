/* The pclossless decoder: the encoder's walk in reverse. Packets are hostile: the
 * range decoder never reads outside the packet and always yields a valid pixel,
 * and a stream whose length does not match what its pixels needed is rejected. */
#include <stddef.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "libnc/codec_internal.h"

static const NCOption decoder_options[] = {
    NC_OPTION_MODEL_PATH(PCDecoder, model_path),
    NC_OPTION_END,
};

/* NC_ETRUNCATED (logged) when a packet of `size` bytes cannot hold the picture the
 * stream declares: checked before the picture is allocated or any work done. */
static int pc_check_packet(NCCodecContext *ctx, const NCPacket *pkt)
{
    PCDecoder *p = ctx->priv_data;
    int channels = pc_channels(ctx->pix_fmt);
    uint64_t info = (uint64_t)channels * pc_plane_info_floor(&p->pcx, ctx->width, ctx->height);
    if (rc_stream_can_hold(pkt->size, info) == 0) return 0;
    nc_log(ctx, NC_LOG_ERROR, "a %dx%d %s picture needs a packet of at least %llu bytes, this one has %zu",
           ctx->width, ctx->height, nc_pix_fmt_name(ctx->pix_fmt),
           (unsigned long long)rc_stream_min_bytes(info), pkt->size);
    return NC_ETRUNCATED;
}

static int pc_decode(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    PCDecoder *p = ctx->priv_data;
    int ret = pc_check_packet(ctx, pkt);
    if (ret < 0) return ret;
    frame->media_type = NC_MEDIA_IMAGE;
    frame->width = ctx->width;
    frame->height = ctx->height;
    frame->pix_fmt = ctx->pix_fmt;
    if ((ret = nc_frame_get_buffer(frame)) < 0) return ret;
    size_t raw = pc_raw_packet_size(frame->width, frame->height, frame->pix_fmt);
    if (p->version >= 2 && pkt->size == raw) { /* spec §3: the pixels themselves */
        for (int y = 0; y < frame->height; y++)
            memcpy(frame->data[0] + (ptrdiff_t)y * frame->linesize[0],
                   pkt->data + raw / (size_t)frame->height * (size_t)y, raw / (size_t)frame->height);
        return 0;
    }
    RCDecoder dec;
    rc_dec_init(&dec, pkt->data, pkt->size);
    ret = pc_decode_image(&p->pcx, &dec, frame->data[0], frame->linesize[0],
                          pc_channels(ctx->pix_fmt), frame->width, frame->height);
    if (ret >= 0) ret = rc_dec_finish(&dec);
    if (ret < 0 && ret != NC_ENOMEM && ret != NC_EINTR)
        nc_log(ctx, NC_LOG_ERROR, "damaged packet (%s)", nc_strerror(ret));
    return ret;
}

const NCCodecDef pclossless_decoder = {
    .p = {PC_IMAGE_CODEC, .options = decoder_options},
    .priv_size = sizeof(PCDecoder),
    .init = pc_decoder_init,
    .close = pc_decoder_close,
    .decode = pc_decode,
    .check_packet = pc_check_packet,
};
