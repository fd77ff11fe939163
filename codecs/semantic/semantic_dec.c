/* The semantic decoder: packets of tokens in, 16 kHz mono float out.
 *
 * Packets are hostile input: the header is checked before anything is decoded,
 * every token the range decoder yields lies within its alphabet, and a packet
 * whose length does not match its symbols is rejected (NC_EINVALIDDATA) before
 * the synthesis state changes. Each packet starts its tokens afresh (an absolute
 * gain, an unconditioned first token), so decoding can start at any packet; the
 * synthesis then starts without earlier frames to continue the phase of. */
#include <stdlib.h>
#include <string.h>

#include "codecs/semantic/sem_synth.h"
#include "codecs/semantic/semantic_codec.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct SemDecoder {
    char *model_path; /* options */
    int iters;
    SemHeader h;
    SemModel model;
    SemSynth synth;
    SemToken *tok;  /* [packet_tokens] */
    float *feat;    /* [packet_tokens * SEM_BLOCK_FRAMES][SEM_MELS] */
    float *out;     /* packet_tokens * SEM_TOKEN_SAMPLES */
} SemDecoder;

#define OFF(x) offsetof(SemDecoder, x)
static const NCOption decoder_options[] = {
    {"iters", "Griffin-Lim iterations per packet (more: cleaner phase, slower)", NC_OPT_INT,
     OFF(iters), {.i = 4}, 0, 64, NULL, NULL},
    NC_OPTION_MODEL_PATH(SemDecoder, model_path),
    NC_OPTION_END,
};

static int sem_decoder_init(NCCodecContext *ctx)
{
    SemDecoder *p = ctx->priv_data;
    int ret = sem_header_parse(ctx, ctx->extradata, ctx->extradata_size, &p->h);
    if (ret < 0)
        return ret;
    ctx->sample_rate = SEM_RATE;
    ctx->channels = 1;
    ret = sem_open_model(&p->model, ctx, p->h.pin.id, p->model_path, &p->h.pin);
    if (ret < 0)
        return ret;
    if (p->h.stages > p->model.stages) {
        nc_log(ctx, NC_LOG_ERROR, "stream has %d acoustic stages, model %d", p->h.stages,
               p->model.stages);
        return NC_EINVALIDDATA;
    }
    const int T = p->h.packet_tokens;
    p->tok = malloc(sizeof(SemToken) * (size_t)T);
    p->feat = malloc(sizeof(float) * (size_t)T * SEM_DIM);
    p->out = malloc(sizeof(float) * (size_t)T * SEM_TOKEN_SAMPLES);
    if (!p->tok || !p->feat || !p->out)
        return NC_ENOMEM;
    return sem_synth_init(&p->synth, T * SEM_BLOCK_FRAMES, p->iters);
}

static void sem_decoder_close(NCCodecContext *ctx)
{
    SemDecoder *p = ctx->priv_data;
    sem_synth_free(&p->synth);
    sem_model_free(&p->model);
    free(p->tok);
    free(p->feat);
    free(p->out);
}

static void sem_decoder_flush(NCCodecContext *ctx)
{
    SemDecoder *p = ctx->priv_data;
    sem_synth_reset(&p->synth);
}

static int sem_decode_packet(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    SemDecoder *p = ctx->priv_data;
    int n, nsamples;
    int ret = sem_packet_read(&p->model, &p->h, pkt->data, pkt->size, p->tok, &n, &nsamples);
    if (ret < 0) {
        nc_log(ctx, NC_LOG_ERROR, "damaged packet at pts %lld", (long long)pkt->pts);
        return ret;
    }
    for (int k = 0; k < n; k++) sem_token_block(&p->model, p->h.stages, &p->tok[k], p->feat + (size_t)k * SEM_DIM);
    int have = sem_synth_frames(&p->synth, p->feat, n * SEM_BLOCK_FRAMES, p->out);
    return nci_decoder_output_mono(frame, pkt, p->out, have, nsamples, SEM_RATE);
}

const NCCodecDef semantic_decoder = {
    .p = {SEMANTIC_CODEC, .options = decoder_options},
    .priv_size = sizeof(SemDecoder),
    .init = sem_decoder_init,
    .close = sem_decoder_close,
    .decode = sem_decode_packet,
    .flush = sem_decoder_flush,
};
