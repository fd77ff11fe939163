/* The pclossless encoder: one packet per frame, each plane tiled into the model's
 * patches and range coded with the circuit's exact conditionals. */
#include <stddef.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "libnc/codec_internal.h"

static const NCOption encoder_options[] = {
    {"model", "id of the model to code with: pclossless-mnist (digits), pclossless-fashion "
              "(Fashion-MNIST), pclossless-photo (photographs, gray or RGB)",
     NC_OPT_STRING, offsetof(PCEncoder, model_id), {.s = PC_DEFAULT_MODEL}, 0,
     NC_MODEL_MAX_ID, NULL, NULL},
    NC_OPTION_MODEL_PATH(PCEncoder, model_path),
    NC_OPTION_END,
};

static int pc_encode(NCCodecContext *ctx, const NCFrame *frame, NCPacket *pkt)
{
    PCEncoder *p = ctx->priv_data;
    rc_enc_reset(&p->enc);
    int ret = pc_encode_image(&p->pcx, &p->enc, frame->data[0], frame->linesize[0],
                              pc_channels(frame->pix_fmt), frame->width, frame->height);
    return ret < 0 ? ret : pc_encoder_packet(p, pkt);
}

const NCCodecDef pclossless_encoder = {
    .p = {PC_IMAGE_CODEC, .options = encoder_options},
    .is_encoder = 1,
    .priv_size = sizeof(PCEncoder),
    .init = pc_encoder_init,
    .close = pc_encoder_close,
    .encode = pc_encode,
};
