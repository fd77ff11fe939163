/* The semantic encoder: 16 kHz mono float in, packets of tokens out.
 *
 * Input is buffered; every 640 samples (with the 864 before them, the frames'
 * overlap) make one token: four log-mel frames, their gain and shape, the shape
 * through the causal semantic net (one step per token, convolutions keep their
 * history) to the nearest semantic centroid, then the residual VQ of the shape
 * minus that token's mean shape. packet_tokens tokens make a packet. Flushing
 * pads with zeros until the decoder's output covers every input sample, and the
 * packets say how many samples to output, so decode(encode(x)) has x's length. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/semantic/semantic_codec.h"
#include "libnc/codec_internal.h"
#include "libnc/sample_buffer.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct SemEncoder {
    int bitrate, stages_opt, packet_tokens; /* options */
    char *model_id, *model_path, *dump_path;
    SemModel model;
    SemAnalysis an;
    SemHeader h;
    NCISamples in;        /* buffered samples: SEM_DELAY before the next token, then more */
    float *hist[SEM_CONVS]; /* the net's inputs of earlier tokens */
    float *a, *b, *c;     /* [channels] */
    float *scratch;
    SemToken *tok;        /* the packet being filled */
    int ntok;
    int64_t samples_in, tokens_done, emitted;
    int draining;
    FILE *dump;
} SemEncoder;

#define OFF(x) offsetof(SemEncoder, x)
static const NCOption encoder_options[] = {
    {"bitrate", "target bit rate: picks the acoustic stages the model expects to fit",
     NC_OPT_INT, OFF(bitrate), {.i = 1400}, 200, 4000, NULL, "bit/s"},
    {"stages", "acoustic stages, 0 = semantic tokens only (overrides bitrate when >= 0)",
     NC_OPT_INT, OFF(stages_opt), {.i = -1}, -1, SEM_MAX_STAGES, NULL, NULL},
    {"packet_tokens", "40 ms tokens per packet", NC_OPT_INT, OFF(packet_tokens), {.i = SEM_PACKET_TOKENS},
     1, SEM_MAX_PACKET_TOKENS, NULL, "tokens"},
    {"dump_tokens", "also write every token as a text line to this file (index, gain, "
     "semantic, acoustic...)", NC_OPT_STRING, OFF(dump_path), {.s = ""}, 0, 4096, NULL, NULL},
    {"model", "id of the model to code with", NC_OPT_STRING, OFF(model_id),
     {.s = SEM_DEFAULT_MODEL}, 0, 63, NULL, NULL},
    NC_OPTION_MODEL_PATH(SemEncoder, model_path),
    NC_OPTION_END,
};

/* Expected bits of a symbol under a 16-bit CDF (its own distribution's entropy). */
static double cdf_bits(const uint32_t *cdf, int n)
{
    double h = 0.0;
    for (int i = 0; i < n; i++) {
        double p = (cdf[i + 1] - cdf[i]) / 65536.0;
        h -= p * log2(p);
    }
    return h;
}

/* The most stages whose expected rate stays within bitrate. Expected: the model's
 * own symbol statistics (the entropy of its CDFs, which are the training
 * distribution), plus what held-out audio costs beyond them, measured on the
 * speech and music test splits (a token's gain, flag and semantic symbol about 4
 * bits more, an acoustic symbol about 1.5), plus the container's share (about 12
 * bytes a second at 8-second groups) and the range coder's end (2 bytes a packet). */
#define HELD_OUT_TOKEN_BITS 4.0
#define HELD_OUT_STAGE_BITS 1.5
static int stages_for(const SemModel *m, int bitrate, int packet_tokens)
{
    double p_rep = (m->cdf_repeat[2] - m->cdf_repeat[1]) / 65536.0;
    double token = cdf_bits(m->cdf_gain, 2 * SEM_GAIN_DELTA + 1) + cdf_bits(m->cdf_repeat, 2) +
                   (1.0 - p_rep) * cdf_bits(m->cdf_sem, m->sem_codes) + HELD_OUT_TOKEN_BITS;
    double rate = 25.0 * token + 8.0 * 12.0 + 16.0 * 25.0 / packet_tokens;
    int s = 0;
    while (s < m->stages) {
        double more = 25.0 * (cdf_bits(m->cdf_ac + (size_t)s * (m->ac_codes + 1), m->ac_codes) +
                              HELD_OUT_STAGE_BITS);
        if (rate + more > bitrate)
            break;
        rate += more;
        s++;
    }
    return s;
}

static int sem_encoder_init(NCCodecContext *ctx)
{
    SemEncoder *p = ctx->priv_data;
    int ret = sem_open_model(&p->model, ctx, p->model_id, p->model_path, NULL);
    if (ret < 0)
        return ret;
    const SemModel *m = &p->model;
    if (p->stages_opt > m->stages) {
        nc_log(ctx, NC_LOG_ERROR, "model %s has %d acoustic stages, %d asked", p->model_id,
               m->stages, p->stages_opt);
        return NC_EINVAL;
    }
    p->h.stages = p->stages_opt >= 0 ? p->stages_opt : stages_for(m, p->bitrate, p->packet_tokens);
    p->h.packet_tokens = p->packet_tokens;
    if ((ret = sem_analysis_init(&p->an)) < 0)
        return ret;
    for (int i = 0; i < SEM_CONVS; i++) {
        const SemConv *c = &m->conv[i];
        if ((c->k - 1) * c->dilation > 0 &&
            !(p->hist[i] = calloc((size_t)((c->k - 1) * c->dilation * c->cin), sizeof(float))))
            return NC_ENOMEM;
    }
    p->a = malloc(sizeof(float) * (size_t)(m->channels > SEM_DIM ? m->channels : SEM_DIM));
    p->b = malloc(sizeof(float) * (size_t)m->channels);
    p->c = malloc(sizeof(float) * (size_t)m->channels);
    p->scratch = malloc(sizeof(float) * (SEM_MAX_CODES + 2 * SEM_DIM));
    p->tok = calloc((size_t)p->packet_tokens, sizeof(SemToken));
    if (!p->a || !p->b || !p->c || !p->scratch || !p->tok ||
        nci_samples_append(&p->in, NULL, SEM_DELAY) < 0) /* time < 0 is silence */
        return NC_ENOMEM;
    if (p->dump_path && *p->dump_path) {
        if (!(p->dump = fopen(p->dump_path, "w"))) {
            nc_log(ctx, NC_LOG_ERROR, "cannot write %s", p->dump_path);
            return NC_EIO;
        }
        fprintf(p->dump, "# semantic tokens, 25 a second: index gain semantic");
        for (int s = 0; s < p->h.stages; s++) fprintf(p->dump, " acoustic%d", s);
        fprintf(p->dump, "\n");
    }
    nc_log(ctx, NC_LOG_VERBOSE, "%d acoustic stages", p->h.stages);
    uint8_t buf[SEM_HEADER_MAX];
    return nc_codec_set_extradata(ctx, buf, sem_header_write(&p->h, m->file, buf));
}

static void sem_encoder_close(NCCodecContext *ctx)
{
    SemEncoder *p = ctx->priv_data;
    sem_model_free(&p->model);
    sem_analysis_free(&p->an);
    for (int i = 0; i < SEM_CONVS; i++) free(p->hist[i]);
    free(p->a);
    free(p->b);
    free(p->c);
    free(p->scratch);
    free(p->tok);
    nci_samples_free(&p->in);
    if (p->dump)
        fclose(p->dump);
}

static void sem_encoder_flush(NCCodecContext *ctx)
{
    SemEncoder *p = ctx->priv_data;
    for (int i = 0; i < SEM_CONVS; i++) {
        const SemConv *c = &p->model.conv[i];
        if (p->hist[i])
            memset(p->hist[i], 0, sizeof(float) * (size_t)((c->k - 1) * c->dilation * c->cin));
    }
    p->in.len = 0;
    nci_samples_append(&p->in, NULL, SEM_DELAY); /* within the capacity it had */
    p->ntok = 0;
    p->samples_in = p->tokens_done = p->emitted = 0;
    p->draining = 0;
}

static void gelu(float *x, int n)
{
    for (int i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678f));
}

static void conv_step(SemEncoder *p, int i, const float *x, float *y)
{
    const SemConv *c = &p->model.conv[i];
    nn_conv1d_causal_step(nn_kernels(), c->taps, c->back, c->k, c->b, p->hist[i],
                          (c->k - 1) * c->dilation, x, y);
}

/* The semantic token of a normalized shape x [SEM_DIM] (the net's next step). */
static int semantic_token(SemEncoder *p, const float *x)
{
    const int C = p->model.channels;
    conv_step(p, 0, x, p->b); /* h */
    for (int u = 0; u < SEM_RES_UNITS; u++) {
        memcpy(p->a, p->b, sizeof(float) * (size_t)C);
        gelu(p->a, C);
        conv_step(p, 1 + 2 * u, p->a, p->c);
        gelu(p->c, C);
        conv_step(p, 2 + 2 * u, p->c, p->a);
        for (int ch = 0; ch < C; ch++) p->b[ch] += p->a[ch];
    }
    return vq_nearest(&p->model.sem, 0, p->b, p->scratch);
}

/* Codes every whole token buffered, up to a full packet. */
static int encode_tokens(SemEncoder *p)
{
    float feat[SEM_DIM], shape[SEM_DIM], res[SEM_DIM];
    const SemModel *m = &p->model;
    while (p->ntok < p->packet_tokens && p->in.len >= SEM_DELAY + SEM_TOKEN_SAMPLES) {
        SemToken *t = &p->tok[p->ntok];
        sem_analyze(&p->an, p->in.data, SEM_BLOCK_FRAMES, feat);
        float g = sem_block_split(feat, shape);
        t->gain = sem_gain_index(g, p->ntok > 0 ? p->tok[p->ntok - 1].gain : -1);
        for (int d = 0; d < SEM_DIM; d++) p->a[d] = (shape[d] - m->feat_mean[d]) / m->feat_std[d];
        t->sem = semantic_token(p, p->a);
        const float *mean = m->sem_shape + (size_t)t->sem * SEM_DIM;
        for (int d = 0; d < SEM_DIM; d++) res[d] = shape[d] - mean[d];
        vq_encode(&m->ac, res, p->h.stages, t->ac, NULL, NULL, p->scratch);
        if (p->dump) {
            fprintf(p->dump, "%lld %d %d", (long long)(p->tokens_done), t->gain, t->sem);
            for (int s = 0; s < p->h.stages; s++) fprintf(p->dump, " %d", t->ac[s]);
            if (fprintf(p->dump, "\n") < 0)
                return NC_EIO;
        }
        p->ntok++;
        p->tokens_done++;
        nci_samples_consume(&p->in, SEM_TOKEN_SAMPLES);
    }
    return 0;
}

static int emit(NCCodecContext *ctx, NCPacket *pkt)
{
    SemEncoder *p = ctx->priv_data;
    /* the decoder's output is final up to SEM_DELAY before the last token's end */
    int64_t end = p->tokens_done * SEM_TOKEN_SAMPLES - SEM_DELAY;
    if (end > p->samples_in)
        end = p->samples_in;
    int64_t out = end > p->emitted ? end - p->emitted : 0;
    uint8_t *data = NULL;
    size_t size;
    int ret = sem_packet_write(&p->model, &p->h, p->tok, p->ntok, (int)out, &data, &size);
    if (ret >= 0)
        ret = nci_packet_key(pkt, data, size, p->emitted, out);
    free(data);
    if (ret < 0)
        return ret;
    p->emitted += out;
    p->ntok = 0;
    return 0;
}

static int sem_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    SemEncoder *p = ctx->priv_data;
    for (;;) {
        int ret = encode_tokens(p);
        if (ret < 0)
            return ret;
        if (p->ntok == p->packet_tokens)
            return emit(ctx, pkt);
        if (p->draining) {
            if (p->dump && fflush(p->dump))
                return NC_EIO;
            return p->ntok ? emit(ctx, pkt) : NC_EOF;
        }
        ret = nci_codec_pull_samples(ctx, &p->in, &p->samples_in);
        if (ret == NC_EOF) {
            /* tokens until the decoder's output reaches the last input sample */
            int64_t need = p->samples_in ? (p->samples_in + SEM_DELAY + SEM_TOKEN_SAMPLES - 1) / SEM_TOKEN_SAMPLES : 0;
            if (need > p->tokens_done &&
                (ret = nci_samples_pad_to(&p->in, SEM_DELAY + (size_t)(need - p->tokens_done) * SEM_TOKEN_SAMPLES)) < 0)
                return ret;
            p->draining = 1;
            continue;
        }
        if (ret < 0)
            return ret;
    }
}

const NCCodecDef semantic_encoder = {
    .p = {SEMANTIC_CODEC, .options = encoder_options, .capabilities = NC_CODEC_CAP_DELAY},
    .is_encoder = 1,
    .priv_size = sizeof(SemEncoder),
    .init = sem_encoder_init,
    .close = sem_encoder_close,
    .receive_packet = sem_receive_packet,
    .flush = sem_encoder_flush,
};
