/* The pclossless encoder: one packet per frame, each plane tiled into the model's
 * patches and range coded with the circuit's exact conditionals. */
#include <stddef.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

static const NCOption encoder_options[] = {
    {"model", "id of the model to code with: pclossless-mnist (digits), pclossless-fashion "
              "(Fashion-MNIST), pclossless-photo (photographs, gray or RGB)",
     NC_OPT_STRING, offsetof(PCEncoder, model_id), {.s = PC_DEFAULT_MODEL}, 0,
     NC_MODEL_MAX_ID, NULL, NULL},
    {"model_path", "a .ncm file or a folder holding <model>.ncm (default: the search path)",
     NC_OPT_STRING, offsetof(PCEncoder, model_path), {.s = ""}, 0, 4096, NULL, NULL},
    {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL},
};

static int image_encoder_init(NCCodecContext *ctx)
{
    PCEncoder *p = ctx->priv_data;
    if (!pc_channels(ctx->pix_fmt)) {
        nc_log(ctx, NC_LOG_ERROR, "pclossless: pixel format %s is not supported",
               nc_pix_fmt_name(ctx->pix_fmt) ? nc_pix_fmt_name(ctx->pix_fmt) : "?");
        return NC_ENOTSUP;
    }
    return pc_encoder_open(ctx, p);
}

static void image_encoder_close(NCCodecContext *ctx)
{
    pc_encoder_close(ctx->priv_data);
}

static int pc_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    PCEncoder *p = ctx->priv_data;
    NCFrame frame = {0};
    int ret = nci_codec_get_frame(ctx, &frame);
    if (ret < 0) return ret;
    int channels = pc_channels(frame.pix_fmt);
    rc_enc_reset(&p->enc);
    ret = pc_encode_image(&p->pcx, &p->enc, frame.data[0], frame.linesize[0], channels,
                          frame.width, frame.height);
    if (ret >= 0) ret = pc_encoder_packet(p, &frame, pkt);
    nc_frame_unref(&frame);
    return ret;
}

static const NCCodecCallbacks encoder_cb = {
    .priv_size = sizeof(PCEncoder),
    .init = image_encoder_init,
    .close = image_encoder_close,
    .receive_packet = pc_receive_packet,
};

static const enum NCPixelFormat pc_pix_fmts[] = {NC_PIX_GRAY8, NC_PIX_RGB24, NC_PIX_NONE};

const NCCodec nc_pclossless_encoder = {
    .name = "pclossless",
    .long_name = "lossless images with a probabilistic circuit (HCLT)",
    .media_type = NC_MEDIA_IMAGE,
    .is_encoder = 1,
    .capabilities = NC_CODEC_CAP_LOSSLESS,
    .pix_fmts = pc_pix_fmts,
    .options = encoder_options,
    .cb = &encoder_cb,
};
