/* The pclossless encoder: one packet per frame, each plane tiled into the model's
 * patches and range coded with the circuit's exact conditionals. */
#include <stddef.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "libnc/codec_internal.h"

static const NCOption encoder_options[] = {
    {"model", "id of the model to code with: auto (pclossless-mnist for gray pictures up "
              "to 28x28, else pclossless-photo), pclossless-mnist (digits), pclossless-fashion "
              "(Fashion-MNIST), pclossless-photo (photographs, gray or RGB)",
     NC_OPT_STRING, offsetof(PCEncoder, model_id), {.s = PC_AUTO_MODEL}, 0,
     NC_MODEL_MAX_ID, NULL, NULL},
    NC_OPTION_MODEL_PATH(PCEncoder, model_path),
    NC_OPTION_END,
};

/* A model that codes a picture near 8 bits per sample is the wrong one: its tiles
 * fell back to raw (spec §3), so the file is no larger than raw, but another model
 * would do far better. Said once per stream. */
static void warn_if_unfit(NCCodecContext *ctx, PCEncoder *p, const NCFrame *frame, size_t bytes)
{
    double samples = (double)frame->width * frame->height * pc_channels(frame->pix_fmt);
    double bits = 8.0 * (double)bytes / samples;
    if (p->warned_fit || bits < PC_UNFIT_BITS) return;
    p->warned_fit = 1;
    nc_log(ctx, NC_LOG_WARNING,
           "model %s codes this %dx%d picture at %.2f bits per sample, about raw: it does "
           "not fit%s",
           ctx->model_id, frame->width, frame->height, bits,
           strcmp(p->model_id, PC_AUTO_MODEL) ? " (-o model=auto chooses by size and colour)" : "");
}

static int pc_encode(NCCodecContext *ctx, const NCFrame *frame, NCPacket *pkt)
{
    PCEncoder *p = ctx->priv_data;
    rc_enc_reset(&p->enc);
    int ret = pc_encode_image(&p->pcx, &p->enc, frame->data[0], frame->linesize[0],
                              pc_channels(frame->pix_fmt), frame->width, frame->height);
    if (ret >= 0) ret = pc_encoder_packet(p, pkt);
    if (ret >= 0) warn_if_unfit(ctx, p, frame, pkt->size);
    size_t raw = pc_raw_packet_size(frame->width, frame->height, frame->pix_fmt);
    if (ret >= 0 && pkt->size >= raw) { /* the pixels themselves are no larger */
        nc_packet_unref(pkt);
        ret = nc_packet_new(pkt, raw);
        for (int y = 0; ret >= 0 && y < frame->height; y++)
            memcpy(pkt->data + raw / (size_t)frame->height * (size_t)y,
                   frame->data[0] + (ptrdiff_t)y * frame->linesize[0], raw / (size_t)frame->height);
    }
    return ret;
}

const NCCodecDef pclossless_encoder = {
    .p = {PC_IMAGE_CODEC, .options = encoder_options},
    .is_encoder = 1,
    .priv_size = sizeof(PCEncoder),
    .init = pc_encoder_init,
    .close = pc_encoder_close,
    .encode = pc_encode,
};
