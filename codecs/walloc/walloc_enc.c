/* The walloc encoder: one packet per image. */
#include <stddef.h>

#include "codecs/walloc/walloc.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct WallocEncoder {
    char *model_id;   /* option */
    char *model_path; /* option */
    int quality;      /* option */
    double deadzone;  /* option */
    double lambda;    /* option */
    WallocContext wc;
    RCEncoder enc;
    int enc_ready;
} WallocEncoder;

static const NCOption encoder_options[] = {
    {"quality", "0 (smallest) .. 100 (best); each 16 halves the quantization step",
     NC_OPT_INT, offsetof(WallocEncoder, quality), {.i = 50}, 0, WALLOC_MAX_QUALITY, NULL, NULL},
    {"deadzone", "extra rounding toward zero, in quantization steps (rate for distortion)",
     NC_OPT_FLOAT, offsetof(WallocEncoder, deadzone), {.f = WALLOC_IMAGE_DEADZONE}, 0, 0.5, NULL, NULL},
    {"lambda", "rate-distortion choice of each latent: squared steps per bit (0: round only)",
     NC_OPT_FLOAT, offsetof(WallocEncoder, lambda), {.f = WALLOC_DEFAULT_LAMBDA}, 0, 10, NULL, NULL},
    {"model", "id of the model to code with: walloc-photo (photographs, gray or RGB)",
     NC_OPT_STRING, offsetof(WallocEncoder, model_id), {.s = WALLOC_DEFAULT_MODEL}, 0,
     NC_MODEL_MAX_ID, NULL, NULL},
    {"model_path", "a .ncm file or a folder holding <model>.ncm (default: the search path)",
     NC_OPT_STRING, offsetof(WallocEncoder, model_path), {.s = ""}, 0, 4096, NULL, NULL},
    {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL},
};

static int encoder_init(NCCodecContext *ctx)
{
    WallocEncoder *p = ctx->priv_data;
    int ret = walloc_open_encoder(&p->wc, ctx, p->model_id, p->model_path, 0);
    if (ret < 0) return ret;
    rc_enc_init(&p->enc);
    p->enc_ready = 1;
    return 0;
}

static void encoder_close(NCCodecContext *ctx)
{
    WallocEncoder *p = ctx->priv_data;
    walloc_close(&p->wc);
    if (p->enc_ready) rc_enc_free(&p->enc);
    p->enc_ready = 0;
}

static int walloc_encode(NCCodecContext *ctx, const NCFrame *frame, NCPacket *pkt)
{
    WallocEncoder *p = ctx->priv_data;
    rc_enc_reset(&p->enc);
    int ret = walloc_encode_image(&p->wc, &p->enc, frame->data[0], frame->linesize[0],
                                  walloc_channels(frame->pix_fmt), frame->width, frame->height,
                                  p->quality, (float)p->deadzone, (float)p->lambda);
    if (ret >= 0) ret = rc_enc_flush(&p->enc);
    return ret < 0 ? ret : nc_packet_from_data(pkt, p->enc.buf, p->enc.size);
}

const NCCodecDef walloc_encoder = {
    .p = {WALLOC_CODEC, .options = encoder_options},
    .is_encoder = 1,
    .priv_size = sizeof(WallocEncoder),
    .init = encoder_init,
    .close = encoder_close,
    .encode = walloc_encode,
};
