/* The walloc audio encoder: 44.1/48 kHz mono or stereo float in, one packet per
 * block of WALLOC_AUDIO_BLOCK samples every WALLOC_AUDIO_HOP (walloc_audio.h); the
 * last packet holds what is left and says how long it is, so decode(encode(x))
 * has exactly x's length.
 *
 * Rate: `quality` fixes the step; `bitrate` (bit/s) instead picks, per packet, the
 * highest quality whose packet fits the packet's share of the bit budget plus what
 * earlier packets left unused (at most one packet's budget is carried). A packet
 * that does not fit even at quality 0 takes the excess as debt for later packets
 * to pay back; once the debt would pass one packet's share it widens the dead
 * zone (an encoder choice the bitstream does not see) up to 1.5 steps. The
 * block is transformed once and only projected, quantized and coded again per
 * setting tried (a binary search: 7 codings, plus up to 4 dead zones). */
#include <stdlib.h>
#include <string.h>

#include "codecs/walloc/walloc_audio.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct WallocAudioEncoder {
    char *model_id, *model_path; /* options */
    int quality, bitrate;        /* options */
    double deadzone;             /* option */
    WallocContext wc;
    RCEncoder enc;
    int enc_ready;
    float *in[2];       /* buffered input, from the next block's first sample */
    size_t in_len, in_cap;
    int64_t samples_in; /* input samples so far */
    int64_t emitted;    /* samples the packets so far cover */
    double credit;      /* bits unused (or overspent, < 0) by the packets so far */
    int draining;
} WallocAudioEncoder;

#define OFF(x) offsetof(WallocAudioEncoder, x)
static const NCOption encoder_options[] = {
    {"quality", "0 (smallest) .. 100 (best); each 16 halves the quantization step", NC_OPT_INT,
     OFF(quality), {.i = 48}, 0, WALLOC_MAX_QUALITY, NULL, NULL},
    {"bitrate", "target rate; picks the quality per packet (0: use quality)", NC_OPT_INT,
     OFF(bitrate), {.i = 0}, 0, 1000000, NULL, "bit/s"},
    {"deadzone", "extra rounding toward zero, in quantization steps (rate for distortion)",
     NC_OPT_FLOAT, OFF(deadzone), {.f = WALLOC_DEFAULT_DEADZONE}, 0, 0.5, NULL, NULL},
    {"model", "id of the model to code with: walloc-music", NC_OPT_STRING, OFF(model_id),
     {.s = WALLOC_AUDIO_DEFAULT_MODEL}, 0, NC_MODEL_MAX_ID, NULL, NULL},
    NC_OPTION_MODEL_PATH(WallocAudioEncoder, model_path),
    NC_OPTION_END,
};

static int encoder_init(NCCodecContext *ctx)
{
    WallocAudioEncoder *p = ctx->priv_data;
    int ret = walloc_open_encoder(&p->wc, ctx, p->model_id, p->model_path, 1);
    if (ret < 0) return ret;
    rc_enc_init(&p->enc);
    p->enc_ready = 1;
    ctx->frame_size = WALLOC_AUDIO_HOP;
    return 0;
}

static void encoder_close(NCCodecContext *ctx)
{
    WallocAudioEncoder *p = ctx->priv_data;
    walloc_close(&p->wc);
    if (p->enc_ready) rc_enc_free(&p->enc);
    p->enc_ready = 0;
    free(p->in[0]);
    free(p->in[1]);
    p->in[0] = p->in[1] = NULL;
}

static int append(WallocAudioEncoder *p, const NCFrame *f, int channels)
{
    size_t n = (size_t)f->nb_samples;
    if (p->in_len + n > p->in_cap) {
        size_t cap = p->in_len + n + WALLOC_AUDIO_BLOCK;
        for (int c = 0; c < channels; c++) {
            float *b = realloc(p->in[c], cap * sizeof(float));
            if (!b) return NC_ENOMEM;
            p->in[c] = b;
        }
        p->in_cap = cap;
    }
    for (int c = 0; c < channels; c++)
        memcpy(p->in[c] + p->in_len, f->data[c], n * sizeof(float));
    p->in_len += n;
    p->samples_in += (int64_t)n;
    return 0;
}

/* Codes the block of the first n buffered samples into p->enc at quality. */
static int code_block(WallocAudioEncoder *p, int channels, int n, int last, int quality,
                      double deadzone)
{
    rc_enc_reset(&p->enc);
    int ret = walloc_audio_code(&p->wc, &p->enc, channels, n, last, quality, (float)deadzone);
    return ret < 0 ? ret : rc_enc_flush(&p->enc);
}

/* The quality for this block: the option, or the bitrate's search. */
static int code_at_rate(NCCodecContext *ctx, WallocAudioEncoder *p, int n, int last, int hop)
{
    int ret, channels = ctx->channels;
    if (!p->bitrate) return code_block(p, channels, n, last, p->quality, p->deadzone);
    double share = (double)p->bitrate * hop / ctx->sample_rate;
    double budget = share + (p->credit > share ? share : p->credit);
    int lo = 0, hi = WALLOC_MAX_QUALITY; /* the answer is in [lo, hi] */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if ((ret = code_block(p, channels, n, last, mid, p->deadzone)) < 0) return ret;
        if (8.0 * (double)p->enc.size <= budget)
            lo = mid;
        else
            hi = mid - 1;
    }
    if ((ret = code_block(p, channels, n, last, lo, p->deadzone)) < 0) return ret;
    /* quality 0 too large: the debt is paid back by later packets while it stays
     * within one packet's share; beyond that (a target below what quality 0 can
     * do) the dead zone widens */
    static const double wider[] = {0.3, 0.6, 1.0, 1.5};
    for (int i = 0; !lo && p->credit + share - 8.0 * (double)p->enc.size < -share && i < 4; i++)
        if (wider[i] > p->deadzone && (ret = code_block(p, channels, n, last, 0, wider[i])) < 0)
            return ret;
    p->credit += share - 8.0 * (double)p->enc.size;
    return 0;
}

/* Emits the block of the first n buffered samples; `hop` samples of output are
 * new with it (the rest the next block repeats). */
static int emit(NCCodecContext *ctx, NCPacket *pkt, int n, int last, int hop)
{
    WallocAudioEncoder *p = ctx->priv_data;
    const float *planes[2] = {p->in[0], p->in[1]};
    int ret = walloc_audio_analyze(&p->wc, planes, ctx->channels, n);
    if (ret >= 0) ret = code_at_rate(ctx, p, n, last, hop);
    if (ret >= 0) ret = nci_packet_key(pkt, p->enc.buf, p->enc.size, p->emitted, hop);
    if (ret < 0) return ret;
    p->emitted += hop;
    size_t keep = p->in_len - (size_t)hop;
    for (int c = 0; c < ctx->channels; c++) memmove(p->in[c], p->in[c] + hop, keep * sizeof(float));
    p->in_len = keep;
    return 0;
}

static int receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    WallocAudioEncoder *p = ctx->priv_data;
    for (;;) {
        if (p->in_len >= WALLOC_AUDIO_BLOCK)
            return emit(ctx, pkt, WALLOC_AUDIO_BLOCK, 0, WALLOC_AUDIO_HOP);
        if (p->draining)
            return p->in_len ? emit(ctx, pkt, (int)p->in_len, 1, (int)p->in_len) : NC_EOF;
        NCFrame frame = {0};
        int ret = nci_codec_get_frame(ctx, &frame);
        if (ret == NC_EOF) {
            p->draining = 1;
            continue;
        }
        if (ret < 0) return ret;
        ret = append(p, &frame, ctx->channels);
        nc_frame_unref(&frame);
        if (ret < 0) return ret;
    }
}

static void encoder_flush(NCCodecContext *ctx)
{
    WallocAudioEncoder *p = ctx->priv_data;
    p->in_len = 0;
    p->samples_in = p->emitted = 0;
    p->credit = 0;
    p->draining = 0;
}

const NCCodecDef walloc_audio_encoder = {
    .p = {WALLOC_AUDIO_CODEC, .options = encoder_options,
          .capabilities = NC_CODEC_CAP_DELAY | NC_CODEC_CAP_STREAMING},
    .is_encoder = 1,
    .priv_size = sizeof(WallocAudioEncoder),
    .init = encoder_init,
    .close = encoder_close,
    .receive_packet = receive_packet,
    .flush = encoder_flush,
};
