/* Frame-by-frame inference (stream.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/polar.h"
#include "codecs/rvqspeech/stream.h"
#include "nc/error.h"

static int hist_frames(const NCRvqConvSpec *s)
{
    return (s->k - 1) * s->dilation;
}

static const NCRvqConv *convs(const NCRvqStream *st)
{
    return st->m->conv + st->side * NC_RVQ_CONVS_PER_SIDE;
}

/* The width of this side's residual units: its first conv's outputs. */
static int side_channels(const NCRvqStream *st)
{
    return convs(st)[0].spec.cout;
}

int rvq_stream_init(NCRvqStream *st, const NCRvqModel *m, int side)
{
    memset(st, 0, sizeof(*st));
    st->m = m;
    st->side = side;
    st->kernels = side == 1 ? nn_kernels() : NULL;
    int width = 2 * NC_RVQ_BINS;
    if (side_channels(st) > width)
        width = side_channels(st);
    for (int i = 0; i < NC_RVQ_CONVS_PER_SIDE; i++) {
        const NCRvqConvSpec *s = &convs(st)[i].spec;
        size_t n = (size_t)hist_frames(s) * (size_t)s->cin;
        st->hist[i] = n ? calloc(n, sizeof(float)) : NULL;
        if (n && !st->hist[i])
            return NC_ENOMEM;
    }
    st->a = calloc((size_t)width, sizeof(float));
    st->b = calloc((size_t)width, sizeof(float));
    st->c = calloc((size_t)width, sizeof(float));
    st->scratch = calloc((size_t)(m->shape.codes + 2 * m->shape.latent), sizeof(float));
    if (!st->a || !st->b || !st->c || !st->scratch)
        return NC_ENOMEM;
    for (int i = 0; i < 3 && side == 1; i++)
        if (!(st->seq[i] = calloc((size_t)width * NC_RVQ_MAX_PACKET_FRAMES, sizeof(float))))
            return NC_ENOMEM;
    int ret = rvq_spectral_init(&st->sp);
    if (ret < 0)
        return ret;
    if (side == 1) /* the decoder's synthesis on SIMD lanes where that keeps libm's bits */
        st->sp.polar = rvq_polar_exact();
    return 0;
}

void rvq_stream_free(NCRvqStream *st)
{
    for (int i = 0; i < NC_RVQ_CONVS_PER_SIDE; i++) free(st->hist[i]);
    free(st->a);
    free(st->b);
    free(st->c);
    free(st->scratch);
    for (int i = 0; i < 3; i++) free(st->seq[i]);
    rvq_spectral_free(&st->sp);
    memset(st, 0, sizeof(*st));
}

void rvq_stream_reset(NCRvqStream *st)
{
    for (int i = 0; i < NC_RVQ_CONVS_PER_SIDE; i++) {
        const NCRvqConvSpec *s = &convs(st)[i].spec;
        if (st->hist[i])
            memset(st->hist[i], 0, sizeof(float) * (size_t)hist_frames(s) * (size_t)s->cin);
    }
    memset(st->prev, 0, sizeof(st->prev));
}

/* y = conv of x and the history, then x joins the history. y != x. */
static void conv_step(const NCRvqConv *c, float *hist, const float *x, float *y)
{
    const NCRvqConvSpec *s = &c->spec;
    const int cin = s->cin, cout = s->cout, H = hist_frames(s);
    memcpy(y, c->b, sizeof(float) * (size_t)cout);
    for (int j = 0; j < s->k; j++) {
        int back = (s->k - 1 - j) * s->dilation; /* frames ago */
        const float *xin = back ? hist + (size_t)(H - back) * cin : x;
        const float *w = c->w + (size_t)j * cin * cout;
        for (int i = 0; i < cin; i++) {
            const float a = xin[i];
            const float *wr = w + (size_t)i * cout;
            for (int o = 0; o < cout; o++) y[o] += a * wr[o];
        }
    }
    if (H) {
        memmove(hist, hist + cin, sizeof(float) * (size_t)(H - 1) * cin);
        memcpy(hist + (size_t)(H - 1) * cin, x, sizeof(float) * (size_t)cin);
    }
}

static void elu(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : expf(x[i]) - 1.0f;
}

/* The decoder's conv stack through the inference kernels, weights in the model
 * file's precision: the same network as run_side() below, rounded differently (FMA,
 * a fast exp in ELU). Only the reconstruction runs here; the indices are decoded
 * before it and never depend on it. */
static void conv_kernels(const NNKernels *k, const NCRvqConv *c, float *hist, const float *x, float *y)
{
    nn_conv1d_causal_step(k, c->taps, c->back, c->spec.k, c->b, hist, hist_frames(&c->spec), x, y);
}

static void elu_kernels(const NNKernels *k, const float *x, float *y, int n)
{
    memcpy(y, x, sizeof(float) * (size_t)n);
    k->elu(y, (size_t)n);
}

static void run_decoder_kernels(NCRvqStream *st)
{
    const NNKernels *k = st->kernels;
    const NCRvqConv *cv = convs(st);
    const int C = side_channels(st);
    float *h = st->b, *t = st->c, *u = st->a;
    conv_kernels(k, &cv[0], st->hist[0], st->a, h);
    for (int r = 0; r < NC_RVQ_UNITS; r++) {
        elu_kernels(k, h, u, C);
        conv_kernels(k, &cv[1 + 2 * r], st->hist[1 + 2 * r], u, t);
        k->elu(t, (size_t)C);
        conv_kernels(k, &cv[2 + 2 * r], st->hist[2 + 2 * r], t, u);
        for (int i = 0; i < C; i++) h[i] += u[i];
    }
    elu_kernels(k, h, t, C);
    conv_kernels(k, &cv[1 + 2 * NC_RVQ_UNITS], st->hist[1 + 2 * NC_RVQ_UNITS], t, st->a);
}

/* run_decoder_kernels over n frames: latents in seq[0] ([n][latent]) -> seq[0]. */
static void run_decoder_frames(NCRvqStream *st, int n)
{
    const NNKernels *k = st->kernels;
    const NCRvqConv *cv = convs(st);
    const size_t C = (size_t)side_channels(st) * (size_t)n;
    float *x = st->seq[0], *h = st->seq[1], *t = st->seq[2];
#define CONV(i, in, out) \
    nn_conv1d_causal_frames(k, cv[i].taps, cv[i].back, cv[i].spec.k, cv[i].b, st->hist[i], hist_frames(&cv[i].spec), in, n, out)
    CONV(0, x, h);
    float *u = x;
    for (int r = 0; r < NC_RVQ_UNITS; r++) {
        elu_kernels(k, h, u, (int)C);
        CONV(1 + 2 * r, u, t);
        k->elu(t, C);
        CONV(2 + 2 * r, t, u);
        for (size_t i = 0; i < C; i++) h[i] += u[i];
    }
    elu_kernels(k, h, t, (int)C);
    CONV(1 + 2 * NC_RVQ_UNITS, t, x);
#undef CONV
}

/* The conv stack of one side: x (in a) -> result in a. */
static void run_side(NCRvqStream *st)
{
    const NCRvqConv *cv = convs(st);
    const int C = side_channels(st);
    float *h = st->b, *t = st->c, *u = st->a;
    conv_step(&cv[0], st->hist[0], st->a, h);
    for (int r = 0; r < NC_RVQ_UNITS; r++) {
        elu(h, u, C);
        conv_step(&cv[1 + 2 * r], st->hist[1 + 2 * r], u, t);
        elu(t, u, C);
        conv_step(&cv[2 + 2 * r], st->hist[2 + 2 * r], u, t);
        for (int i = 0; i < C; i++) h[i] += t[i];
    }
    elu(h, t, C);
    conv_step(&cv[1 + 2 * NC_RVQ_UNITS], st->hist[1 + 2 * NC_RVQ_UNITS], t, st->a);
}

void rvq_stream_latent(NCRvqStream *st, const float *in, float *z)
{
    memcpy(st->frame, st->prev, sizeof(st->prev));
    memcpy(st->frame + NC_RVQ_HOP, in, sizeof(float) * NC_RVQ_HOP);
    memcpy(st->prev, in, sizeof(st->prev));
    rvq_analyze(&st->sp, st->frame, st->feat);
    memcpy(st->a, st->feat, sizeof(st->feat));
    run_side(st);
    memcpy(z, st->a, sizeof(float) * (size_t)st->m->shape.latent);
}

void rvq_stream_encode(NCRvqStream *st, const float *in, int stages, int *idx)
{
    rvq_stream_latent(st, in, st->c);
    vq_encode(&st->m->rvq, st->c, stages, idx, NULL, NULL, st->scratch);
}

/* One frame's spectrum (magnitudes, then phases' bins) -> its NC_RVQ_HOP samples. */
static void synthesize_hop(NCRvqStream *st, const float *spec, float *out)
{
    rvq_synthesize(&st->sp, spec, spec + NC_RVQ_BINS, 1, st->frame);
    for (int i = 0; i < NC_RVQ_HOP; i++) out[i] = st->prev[i] + st->frame[i];
    memcpy(st->prev, st->frame + NC_RVQ_HOP, sizeof(st->prev));
}

float *rvq_stream_spectra(NCRvqStream *st, const int *idx, int stages, int n)
{
    const int latent = st->m->shape.latent, width = 2 * NC_RVQ_BINS;
    if (!st->kernels) { /* the scalar loops, frame by frame */
        for (int f = 0; f < n; f++) {
            vq_decode(&st->m->rvq, idx + f * stages, stages, st->a);
            run_side(st);
            memcpy(st->seq[0] + (size_t)f * width, st->a, sizeof(float) * width);
        }
        return st->seq[0];
    }
    for (int f = 0; f < n; f++) vq_decode(&st->m->rvq, idx + f * stages, stages, st->seq[0] + (size_t)f * latent);
    run_decoder_frames(st, n);
    return st->seq[0];
}

void rvq_stream_decode_frames(NCRvqStream *st, const int *idx, const int8_t *gains, int stages, int n,
                              float *out)
{
    if (!st->kernels || !st->seq[0]) { /* the scalar loops: frame by frame */
        for (int f = 0; f < n; f++)
            rvq_stream_decode(st, idx + f * stages, gains ? gains + f * NC_RVQ_SIDE : NULL, stages,
                              out + (size_t)f * NC_RVQ_HOP);
        return;
    }
    const int width = 2 * NC_RVQ_BINS;
    float *spec = rvq_stream_spectra(st, idx, stages, n);
    for (int f = 0; f < n; f++) {
        if (gains)
            rvq_corrections_apply(gains + f * NC_RVQ_SIDE, spec + (size_t)f * width);
        synthesize_hop(st, spec + (size_t)f * width, out + (size_t)f * NC_RVQ_HOP);
    }
}

void rvq_stream_decode(NCRvqStream *st, const int *idx, const int8_t *gains, int stages, float *out)
{
    vq_decode(&st->m->rvq, idx, stages, st->a);
    if (st->kernels)
        run_decoder_kernels(st);
    else
        run_side(st);
    if (gains)
        rvq_corrections_apply(gains, st->a);
    synthesize_hop(st, st->a, out);
}
