/* The walloc audio decoder: one frame per packet, the block's new samples (a
 * block that is not the last keeps its last WALLOC_AUDIO_OVERLAP samples back, to
 * cross-fade them with the next block's first ones: walloc_audio.h). Packets are
 * hostile: a bad quality or length, or a packet whose length does not match what
 * its latents needed, is rejected. */
#include <math.h>
#include <string.h>

#include "codecs/walloc/walloc_audio.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct WallocAudioDecoder {
    char *model_path; /* option */
    WallocContext wc;
    float block[2][WALLOC_AUDIO_BLOCK];
    float tail[2][WALLOC_AUDIO_OVERLAP]; /* the previous block's last samples */
    int tail_len;                        /* 0 or WALLOC_AUDIO_OVERLAP */
    float fade[WALLOC_AUDIO_OVERLAP];    /* the next block's weight, sin^2 */
} WallocAudioDecoder;

static const NCOption decoder_options[] = {
    NC_OPTION_MODEL_PATH(WallocAudioDecoder, model_path),
    NC_OPTION_END,
};

static int decoder_init(NCCodecContext *ctx)
{
    WallocAudioDecoder *p = ctx->priv_data;
    NCIModelPin pin;
    /* reconstruction only: the weights need not be bit-exact */
    for (int i = 0; i < WALLOC_AUDIO_OVERLAP; i++) {
        double s = sin((i + 0.5) / WALLOC_AUDIO_OVERLAP * 1.5707963267948966);
        p->fade[i] = (float)(s * s);
    }
    int ret = walloc_header_parse(ctx, ctx->extradata, ctx->extradata_size,
                                  WALLOC_HEADER_VERSION_AUDIO, &pin);
    if (ret < 0) return ret;
    return walloc_open(&p->wc, ctx, pin.id, p->model_path, &pin, 1);
}

static void decoder_close(NCCodecContext *ctx)
{
    WallocAudioDecoder *p = ctx->priv_data;
    walloc_close(&p->wc);
}

static void decoder_flush(NCCodecContext *ctx)
{
    WallocAudioDecoder *p = ctx->priv_data;
    p->tail_len = 0;
}

static int decode(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    WallocAudioDecoder *p = ctx->priv_data;
    const int channels = ctx->channels;
    RCDecoder dec;
    int n = 0, last = 0, quality = 0;
    rc_dec_init(&dec, pkt->data, pkt->size);
    int ret = walloc_audio_decode_latents(&p->wc, &dec, channels, &n, &last, &quality);
    if (ret >= 0) ret = rc_dec_finish(&dec);
    if (ret < 0) {
        if (ret != NC_ENOMEM && ret != NC_EINTR)
            nc_log(ctx, NC_LOG_ERROR, "damaged packet (%s)", nc_strerror(ret));
        return ret;
    }
    float *out[2] = {p->block[0], p->block[1]};
    if ((ret = walloc_audio_reconstruct(&p->wc, quality, channels, n, out)) < 0) return ret;
    int fade = p->tail_len < n ? p->tail_len : n;
    for (int c = 0; c < channels; c++)
        for (int i = 0; i < fade; i++)
            out[c][i] = p->tail[c][i] + (out[c][i] - p->tail[c][i]) * p->fade[i];
    int keep = last ? n : WALLOC_AUDIO_HOP;
    frame->media_type = NC_MEDIA_AUDIO;
    frame->nb_samples = keep;
    frame->channels = channels;
    frame->sample_rate = ctx->sample_rate;
    if ((ret = nc_frame_get_buffer(frame)) < 0) return ret;
    for (int c = 0; c < channels; c++) {
        memcpy(frame->data[c], out[c], (size_t)keep * sizeof(float));
        if (!last) memcpy(p->tail[c], out[c] + WALLOC_AUDIO_HOP, sizeof(p->tail[c]));
    }
    p->tail_len = last ? 0 : WALLOC_AUDIO_OVERLAP;
    frame->duration = keep;
    return 0;
}

const NCCodecDef walloc_audio_decoder = {
    .p = {WALLOC_AUDIO_CODEC, .options = decoder_options},
    .priv_size = sizeof(WallocAudioDecoder),
    .init = decoder_init,
    .close = decoder_close,
    .decode = decode,
    .flush = decoder_flush,
};
