/* Fitting a nerv segment (nerv_fit.h): Adam on latents, weights and the rate
 * model's scales against MSE + lambda * bits, the gradients written out by hand
 * (nerv_synth.c has each step's adjoint), so the encoder needs neither BLAS nor
 * the training library. The rate term uses the coder's own contexts (one scale
 * per grid and context, the contexts taken from the rounded latents at each
 * step), so the fit pays for a latent what the coder will charge for it.
 * Each step runs one of FRAME_GROUPS interleaved groups of the frames (its
 * gradient scaled to the whole segment's), so a step costs about a quarter of
 * a pass: more, cheaper steps converge further in the same time (README,
 * "Measured").
 * Quantization: uniform noise as the proxy for most of
 * the run, then rounding with a straight-through gradient (from version 5
 * through the loop filter); at the end the weights' step is chosen per tensor
 * by rate-distortion cost, then the loop filter per plane.
 *
 * Work is split by frame (one job per frame); each frame's gradients are kept
 * apart and summed in frame order. The per-latent work of a step runs in fixed
 * chunks of latents (LatentPass), each with its own noise, their sums added in
 * chunk order. So the result does not depend on the number of threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv_filter.h"
#include "codecs/nerv/nerv_fit.h"
#include "codecs/nerv/nerv_motion.h"
#include "libnc/rng.h"
#include "nc/error.h"

#define ADAM_B1 0.9f
#define ADAM_B2 0.999f
#define ADAM_EPS 1e-8f
/* 0.1: one latent step of 1 is a quantization step, and 0.05 left the latents
 * short of where the fit wanted them at the presets' step counts (README) */
#define LR_LATENT 0.1f
#define LR_WEIGHT 0.01f
#define LR_SCALE 0.02f
#define LR_GAIN 0.01f
#define TAP_REFIT 16 /* steps between fits of the latents' mean taps */
/* A predicted segment's latents start at half the reference's, and the gains
 * at 1/2: on a still clip (motion.mov) the prediction then pays as much as from
 * the reference itself, on a moving one (city) it no longer costs quality
 * (README, "Predicted segments") */
#define GAIN_START 0.5f
#define NOISE_SHARE 0.75 /* of the steps with noise; the rest rounds */
#define FRAME_GROUPS 4    /* step k fits the frames f with f % 4 == k % 4 */
/* Version 5: the rounding steps take their error after the loop filter, solved
 * again every FILTER_REFIT steps, so that the MLP leaves the filter what it does
 * best. From the rounding steps on, as measured (README, "Loop filter"): earlier
 * starts gained as much on `city` but lost on the still `motion`. */
#define FILTER_REFIT 100

typedef struct Adam {
    float *m, *v;
    size_t n;
} Adam;

static int adam_alloc(Adam *a, size_t n)
{
    a->n = n;
    a->m = calloc(n + 1, sizeof(float));
    a->v = calloc(n + 1, sizeof(float));
    return a->m && a->v ? 0 : NC_ENOMEM;
}

static void adam_free(Adam *a) { free(a->m), free(a->v); }

/* Adam's update of p[lo .. hi) (the parameters' own, so ranges may run apart). */
static void adam_range(Adam *a, float *p, const float *g, float lr, int t, size_t lo, size_t hi)
{
    float c1 = 1.0f - powf(ADAM_B1, (float)t), c2 = 1.0f - powf(ADAM_B2, (float)t);
    float step = lr * sqrtf(c2) / c1;
    for (size_t i = lo; i < hi; i++) {
        a->m[i] = ADAM_B1 * a->m[i] + (1.0f - ADAM_B1) * g[i];
        a->v[i] = ADAM_B2 * a->v[i] + (1.0f - ADAM_B2) * g[i] * g[i];
        p[i] -= step * a->m[i] / (sqrtf(a->v[i]) + ADAM_EPS);
    }
}

static void adam_step(Adam *a, float *p, const float *g, float lr, int t) { adam_range(a, p, g, lr, t, 0, a->n); }

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Bits of y under a discretized logistic of scale s, with the gradients with
 * respect to y and log s. In double: in float the logistic's tails vanish at
 * |y| / s of about 88 (a context of small scale can reach that), and with them
 * the gradient that pulls such a latent in. (Float was 8% faster for the whole
 * fit; on the train clips the two moved an encode by no more than the noise.) */
static double rate_bits(float y, double s, float *g_y, float *g_logs)
{
    double ay = fabs(y);
    double u = (0.5 - ay) / s, v = (-0.5 - ay) / s;
    double su = sigmoid(u), sv = sigmoid(v);
    double p = su - sv;
    if (p < 1e-12) p = 1e-12;
    double du = su * (1 - su), dv = sv * (1 - sv);
    double k = -1.0 / (p * M_LN2); /* d bits / d p */
    double dp_day = -(du - dv) / s, dp_dlogs = -(u * du - v * dv);
    *g_y = (float)(k * dp_day * (y < 0 ? -1 : 1));
    *g_logs = (float)(k * dp_dlogs);
    return -log2(p);
}

typedef struct Fit {
    const NervShape *s;
    const NervLayout *lay;
    const int32_t *motion;
    const NervLocal *loc;
    NervScratch *sc; /* per worker */
    const float *x;
    int n;
    size_t NL, NP;
    float *lat, *dhat, *g_lat; /* latents: slice 0's values, then changes */
    float *pred;               /* predicted: each first slice's prediction (gain * yref) */
    float *yhat, *g_y;         /* latents as the synthesis reads them */
    float *w, *g_w;
    float *logs, *g_logs; /* per level and context */
    int32_t *qi;          /* the latents rounded, as coded: the contexts' source */
    float *g_mean;        /* each latent's rate gradient, for its mean's inputs */
    float *gz;    /* per frame: levels x positions */
    float *vgrids; /* per frame: the latents' gradient as the grids it views (nerv_synth_inputs_adjoint) */
    size_t vgrids_size;
    float *gw;    /* per frame: NP */
    double *sse;  /* per frame */
    float *keep;  /* NULL, or where each frame's samples go (n x channels x positions) */
    const float *filter; /* NULL, or the loop filter (planes x NERV_FILTER_VALUES) the error is taken after */
    float *fwork;        /* per worker, with filter: the frame's samples, their gradient, the MLP's
                          * activations of every tile, the filter's scratch */
    size_t fwork_size;
    float *work;  /* per worker */
    size_t work_size;
    double inv_samples;
    int backward;
    int frame_of[NERV_MAX_SEGMENT], count; /* the frames this pass runs */
    float gscale; /* the groups per cycle: the group's gradient stands for the segment's */
} Fit;

/* The per-latent work of a step, split into jobs of at most LATENT_CHUNK latents
 * of one level (chunks fixed by the layout, not by the threads): their noise
 * comes from the chunk's own generator and their sums are added in chunk order,
 * so the fit does not depend on the number of threads. On one thread this work
 * was about 45% of a 2-thread fit's time. */
#define LATENT_CHUNK 8192

typedef struct Chunk {
    int l;       /* level */
    size_t a, b; /* latents [a, b) */
} Chunk;

typedef struct LatentPass {
    Fit *fit;
    const NervSegment *seg;
    const Chunk *chunk;
    int chunks;
    /* this step */
    int step, noisy, set_pred, means;
    const float *gain;                  /* the gains while noisy (else seg's, coded) */
    const int (*tap)[2][NERV_MEAN_TAPS]; /* means: NULL when off */
    float rate_weight;
    const double *scale;                /* exp(logs), levels x NERV_CONTEXTS */
    uint64_t seed;
    Adam *adam; /* the latents' */
    float lr;
    /* per chunk: its bits, its scales' gradient (NERV_CONTEXTS each), its gain's */
    double *rate, *g_ls, *g_gain;
} LatentPass;

/* (t, i, j) of latent k of level l. */
static void latent_at(const NervLayout *lay, int l, size_t k, int *t, int *i, int *j)
{
    size_t lw = (size_t)lay->lw[l], size = lw * lay->lh[l], r = (k - lay->offset[l]) % size;
    *t = (int)((k - lay->offset[l]) / size), *i = (int)(r / lw), *j = (int)(r % lw);
}

/* (t, i, j) to the latent after it in level l (raster order, slice by slice). */
static inline void latent_next(const NervLayout *lay, int l, int *t, int *i, int *j)
{
    if (++*j == lay->lw[l]) {
        *j = 0;
        if (++*i == lay->lh[l]) *i = 0, ++*t;
    }
}

/* First pass: each first slice's prediction (while it moves), the coded values
 * (continuous) and their rounding, which the contexts and means read. */
static void coded_job(void *arg, int c, int worker)
{
    (void)worker;
    LatentPass *lp = arg;
    Fit *fit = lp->fit;
    const NervSegment *seg = lp->seg;
    const Chunk *ch = &lp->chunk[c];
    int ref = seg->predicted;
    size_t first = fit->lay->offset[ch->l] + (size_t)fit->lay->lw[ch->l] * fit->lay->lh[ch->l];
    if (ref && lp->set_pred)
        for (size_t i = ch->a; i < ch->b && i < first; i++)
            fit->pred[i] = lp->noisy ? lp->gain[ch->l] * (float)seg->yref[i]
                                     : (float)nerv_predict(seg->yref[i], seg->gain[ch->l]);
    for (size_t i = ch->a; i < ch->b; i++) {
        fit->dhat[i] = fit->lat[i] - (ref ? fit->pred[i] : 0.0f);
        fit->qi[i] = (int32_t)rintf(fit->dhat[i]);
    }
}

/* Second pass: each latent's context and mean (from the rounded values), its
 * noisy or rounded form, its bits and their gradients. */
static void rate_job(void *arg, int c, int worker)
{
    (void)worker;
    LatentPass *lp = arg;
    Fit *fit = lp->fit;
    const NervLayout *lay = fit->lay;
    const Chunk *ch = &lp->chunk[c];
    int l = ch->l, t, i, j;
    const int32_t *level = fit->qi + lay->offset[l];
    const double *scale = lp->scale + (size_t)l * NERV_CONTEXTS;
    size_t first = lay->offset[l] + (size_t)lay->lw[l] * lay->lh[l];
    uint64_t rng = lp->seed ^ ((uint64_t)lp->step << 24 | (uint64_t)c);
    rng = nci_splitmix64(&rng);
    double rate = 0, g_ls[NERV_CONTEXTS] = {0}, g_gain = 0;
    latent_at(lay, l, ch->a, &t, &i, &j);
    for (size_t k = ch->a; k < ch->b; k++) {
        int ctx = nerv_latent_context(lay, level, t, i, j, l);
        float mean = lp->tap ? ldexpf((float)nerv_latent_mean(lay, level, t, i, j, l, lp->tap[l][t > 0]),
                                      -NERV_MEAN_FRAC)
                             : 0.0f;
        float d = lp->noisy ? fit->dhat[k] + nci_rng_uniform(&rng) - 0.5f : rintf(fit->dhat[k]), gy, gs;
        fit->dhat[k] = d;
        rate += rate_bits(d - mean, scale[ctx], &gy, &gs);
        fit->g_lat[k] = lp->rate_weight * gy;
        g_ls[ctx] += gs;
        if (lp->seg->predicted && k < first) /* the coded value falls by yref for each unit of gain */
            g_gain -= (double)fit->g_lat[k] * lp->seg->yref[k];
        latent_next(lay, l, &t, &i, &j);
    }
    if (lp->means) memcpy(fit->g_mean + ch->a, fit->g_lat + ch->a, sizeof(float) * (ch->b - ch->a));
    lp->rate[c] = rate;
    lp->g_gain[c] = g_gain;
    memcpy(lp->g_ls + (size_t)c * NERV_CONTEXTS, g_ls, sizeof(g_ls));
}

/* With means: adds to each latent's rate gradient what it gets through the means
 * of the latents that take it as a neighbour (nerv_latent_mean, the rounding
 * passed straight through), gathered from their own gradients (g_mean). */
static void mean_adjoint_job(void *arg, int c, int worker)
{
    (void)worker;
    LatentPass *lp = arg;
    Fit *fit = lp->fit;
    const NervLayout *lay = fit->lay;
    const Chunk *ch = &lp->chunk[c];
    int l = ch->l, lw = lay->lw[l], lh = lay->lh[l], t, i, j;
    ptrdiff_t size = (ptrdiff_t)lw * lh;
    const float *g = fit->g_mean;
    float a[2][NERV_MEAN_TAPS];
    for (int part = 0; part < 2; part++)
        for (int k = 0; k < NERV_MEAN_TAPS; k++) a[part][k] = -ldexpf((float)lp->tap[l][part][k], -NERV_TAP_FRAC);
    latent_at(lay, l, ch->a, &t, &i, &j);
    for (size_t k = ch->a; k < ch->b; k++) {
        const float *at = a[t > 0];
        float sum = 0;
        if (j + 1 < lw) sum += at[0] * g[k + 1];
        if (i + 1 < lh) {
            sum += at[1] * g[k + lw];
            if (j + 1 < lw) sum += at[2] * g[k + lw + 1];
            if (j > 0) sum += at[3] * g[k + lw - 1];
        }
        if (t + 1 < lay->times[l]) sum += a[1][4] * g[k + size];
        fit->g_lat[k] += sum;
        latent_next(lay, l, &t, &i, &j);
    }
}

/* The latents' Adam step. */
static void adam_job(void *arg, int c, int worker)
{
    (void)worker;
    LatentPass *lp = arg;
    adam_range(lp->adam, lp->fit->lat, lp->fit->g_lat, lp->lr, lp->step + 1, lp->chunk[c].a, lp->chunk[c].b);
}

/* The chunks of a layout (at most LATENT_CHUNK latents of one level each) into
 * lp->chunk, and their sums' room; NC_ENOMEM. */
static int latent_pass_alloc(LatentPass *lp, const NervShape *s, const NervLayout *lay)
{
    int chunks = 0;
    for (int l = 0; l < s->levels; l++)
        chunks += (int)((lay->offset[l + 1] - lay->offset[l] + LATENT_CHUNK - 1) / LATENT_CHUNK);
    Chunk *ch = malloc(sizeof(Chunk) * (size_t)(chunks ? chunks : 1));
    lp->rate = calloc((size_t)chunks + 1, sizeof(double));
    lp->g_gain = calloc((size_t)chunks + 1, sizeof(double));
    lp->g_ls = calloc(((size_t)chunks + 1) * NERV_CONTEXTS, sizeof(double));
    lp->chunk = ch;
    if (!ch || !lp->rate || !lp->g_gain || !lp->g_ls) return NC_ENOMEM;
    lp->chunks = 0;
    for (int l = 0; l < s->levels; l++)
        for (size_t a = lay->offset[l]; a < lay->offset[l + 1]; a += LATENT_CHUNK) {
            size_t b = a + LATENT_CHUNK < lay->offset[l + 1] ? a + LATENT_CHUNK : lay->offset[l + 1];
            ch[lp->chunks++] = (Chunk){l, a, b};
        }
    return 0;
}

static void latent_pass_free(LatentPass *lp)
{
    free((void *)lp->chunk), free(lp->rate), free(lp->g_gain), free(lp->g_ls);
}

/* Latents from their coded form, per level: each slice after a grid's first is
 * coded as its change from the slice before, the first as its change from pred
 * when predicted (nerv_segment_latents() is the decoder's). */
static void integrate_job(void *arg, int l, int worker)
{
    (void)worker;
    LatentPass *lp = arg;
    Fit *fit = lp->fit;
    const NervLayout *lay = fit->lay;
    const float *d = fit->dhat, *pred = lp->seg->predicted ? fit->pred : NULL;
    float *y = fit->yhat;
    size_t size = (size_t)lay->lw[l] * lay->lh[l], off = lay->offset[l];
    for (size_t i = 0; i < size; i++) y[off + i] = d[off + i] + (pred ? pred[off + i] : 0.0f);
    for (int t = 1; t < lay->times[l]; t++) {
        const float *prev = y + off + (size_t)(t - 1) * size, *dt = d + off + (size_t)t * size;
        float *yt = y + off + (size_t)t * size;
        for (size_t i = 0; i < size; i++) yt[i] = prev[i] + dt[i];
    }
}

/* integrate_job's adjoint: adds to g_lat the gradient that g_y gives the coded
 * form (sums over later slices; g_y is left with them). */
static void integrate_adjoint_job(void *arg, int l, int worker)
{
    (void)worker;
    LatentPass *lp = arg;
    Fit *fit = lp->fit;
    const NervLayout *lay = fit->lay;
    size_t size = (size_t)lay->lw[l] * lay->lh[l], off = lay->offset[l];
    for (int t = lay->times[l] - 1; t >= 0; t--) {
        float *gy = fit->g_y + off + (size_t)t * size, *gd = fit->g_lat + off + (size_t)t * size;
        if (t + 1 < lay->times[l]) /* g_y of slice t becomes the suffix sum */
            for (size_t i = 0; i < size; i++) gy[i] += gy[i + size];
        for (size_t i = 0; i < size; i++) gd[i] += gy[i];
    }
}

/* frame_job through the loop filter: each filtered sample reads its neighbours',
 * so the whole frame's MLP outputs come first (their activations kept), then the
 * filter and the error, then the filter's adjoint and the MLP's backward. */
static void filtered_frame_job(Fit *fit, int f, int worker, const float *z, float *g_h)
{
    const NervShape *s = fit->s;
    size_t P = (size_t)s->positions, H = (size_t)s->hidden, C = (size_t)s->channels;
    float *out = fit->fwork + (size_t)worker * fit->fwork_size, *g = out + C * P, *act = g + C * P,
          *scratch = act + 2 * H * (P + NERV_TILE);
    const float *x = fit->x + (size_t)f * C * P;
    float *gz = fit->gz + (size_t)f * s->levels * P, *gw = fit->gw + (size_t)f * fit->NP;
    for (size_t p0 = 0; p0 < P; p0 += NERV_TILE) {
        float *h1 = act + 2 * H * p0, *h2 = h1 + H * NERV_TILE;
        nerv_mlp_forward(s, fit->w, z + p0, P, (int)(P - p0 < NERV_TILE ? P - p0 : NERV_TILE), h1, h2,
                         out + p0, P);
    }
    memcpy(g, out, sizeof(float) * C * P);
    nerv_filter(s, fit->filter, g, scratch);
    double sse = 0;
    float scale = (float)(2.0 * fit->inv_samples * fit->gscale);
    for (size_t i = 0; i < C * P; i++) {
        float d = g[i] - x[i];
        sse += (double)d * d;
        g[i] = scale * d;
    }
    fit->sse[f] = sse;
    if (!fit->backward) return;
    nerv_filter_adjoint(s, fit->filter, g, scratch);
    for (size_t p0 = 0; p0 < P; p0 += NERV_TILE) {
        const float *h1 = act + 2 * H * p0, *h2 = h1 + H * NERV_TILE;
        nerv_mlp_backward(s, fit->w, z + p0, P, (int)(P - p0 < NERV_TILE ? P - p0 : NERV_TILE), h1, h2,
                          g + p0, P, gw, gz + p0, g_h);
    }
}

/* Frame f's input gradient (gz) as the grids it views, for run_frames to add. */
static void view_adjoint(Fit *fit, int f, int worker)
{
    nerv_synth_inputs_adjoint(fit->s, fit->lay, fit->motion, fit->loc,
                              fit->gz + (size_t)f * fit->s->levels * fit->s->positions, f,
                              fit->vgrids + (size_t)f * fit->vgrids_size, &fit->sc[worker]);
}

/* One frame: forward, and with fit->backward the gradients of MSE into gz, gw
 * and vgrids. */
static void frame_job(void *arg, int j, int worker)
{
    Fit *fit = arg;
    int f = fit->frame_of[j];
    const NervShape *s = fit->s;
    size_t P = (size_t)s->positions, H = (size_t)s->hidden, C = (size_t)s->channels;
    float *z = fit->work + (size_t)worker * fit->work_size, *h1 = z + s->levels * P,
          *h2 = h1 + H * NERV_TILE,
          *out = h2 + H * NERV_TILE, *g_out = out + C * NERV_TILE, *g_h = g_out + C * NERV_TILE;
    const float *x = fit->x + (size_t)f * C * P;
    float *gz = fit->gz + (size_t)f * s->levels * P, *gw = fit->gw + (size_t)f * fit->NP;
    nerv_synth_inputs(s, fit->lay, fit->motion, fit->loc, fit->yhat, f, z, &fit->sc[worker]);
    if (fit->backward) memset(gw, 0, sizeof(float) * fit->NP);
    if (fit->filter) {
        filtered_frame_job(fit, f, worker, z, g_h);
        if (fit->backward) view_adjoint(fit, f, worker);
        return;
    }
    double sse = 0;
    float scale = (float)(2.0 * fit->inv_samples * fit->gscale);
    for (size_t p0 = 0; p0 < P; p0 += NERV_TILE) {
        int count = (int)(P - p0 < NERV_TILE ? P - p0 : NERV_TILE);
        nerv_mlp_forward(s, fit->w, z + p0, P, count, h1, h2, out, NERV_TILE);
        for (size_t c = 0; c < C && fit->keep; c++)
            memcpy(fit->keep + ((size_t)f * C + c) * P + p0, out + c * NERV_TILE, sizeof(float) * (size_t)count);
        for (size_t c = 0; c < C; c++) {
            const float *xc = x + c * P + p0;
            float *o = out + c * NERV_TILE, *g = g_out + c * NERV_TILE;
            for (int p = 0; p < count; p++) {
                float d = o[p] - xc[p];
                sse += (double)d * d;
                g[p] = scale * d;
            }
        }
        if (fit->backward)
            nerv_mlp_backward(s, fit->w, z + p0, P, count, h1, h2, g_out, NERV_TILE, gw, gz + p0,
                              g_h);
    }
    fit->sse[f] = sse;
    if (fit->backward) view_adjoint(fit, f, worker);
}

/* Runs the frames f with f % groups == group; returns the MSE they estimate
 * (with groups 1, the segment's). With backward, adds the gradients to g_y and g_w (in frame
 * order), scaled to stand for the whole segment's. */
static double run_frames(Fit *fit, NCIPool *pool, int backward, int group, int groups)
{
    fit->backward = backward;
    fit->count = 0;
    for (int f = group; f < fit->n; f += groups) fit->frame_of[fit->count++] = f;
    fit->gscale = (float)groups; /* over a cycle of groups: the segment's gradient */
    nci_pool_run(pool, fit->count, frame_job, fit);
    double sse = 0;
    for (int j = 0; j < fit->count; j++) {
        int f = fit->frame_of[j];
        sse += fit->sse[f];
        if (!backward) continue;
        nerv_view_grids_add(fit->s, fit->lay, f, fit->vgrids + (size_t)f * fit->vgrids_size, fit->g_y);
        const float *gw = fit->gw + (size_t)f * fit->NP;
        for (size_t i = 0; i < fit->NP; i++) fit->g_w[i] += gw[i];
    }
    return sse * fit->inv_samples * fit->gscale;
}

/* The MLP's weights drawn at random (the loop filter's stay 0). */
static void init_weights(const NervShape *s, float *w, uint64_t *rng)
{
    for (int k = 0; k < NERV_MLP_TENSORS; k++) {
        int fan_in = k < 2 ? s->levels : s->hidden;
        float bound = 1.0f / sqrtf((float)fan_in);
        float *p = w + nerv_tensor_offset(s, k);
        for (size_t i = 0; i < nerv_tensor_size(s, k); i++) p[i] = (2 * nci_rng_uniform(rng) - 1) * bound;
    }
    float *b3 = w + nerv_tensor_offset(s, 5);
    for (int c = 0; c < s->channels; c++) b3[c] = 0.5f;
}

/* Tensor k of the weights orig at step 2^-e: its integers into seg->wq and, when
 * predicted, its prediction at that step into seg->wpred; the weights the
 * synthesis then sees into fit->w. */
static void quantize_tensor(Fit *fit, const float *orig, const NervRef *ref, NervSegment *seg,
                            int k, int e)
{
    size_t off = nerv_tensor_offset(fit->s, k), size = nerv_tensor_size(fit->s, k);
    float step = ldexpf(1.0f, -e);
    if (seg->predicted) nerv_predict_weights(fit->s, ref, seg, k, e);
    for (size_t i = off; i < off + size; i++) {
        seg->wq[i] = nerv_clamp_magnitude(lrintf(orig[i] / step));
        fit->w[i] = (float)seg->wq[i] * step;
    }
}

/* Worker 0's filter scratch in fwork, free while no frame job runs. */
static float *filter_scratch(const Fit *fit)
{
    const NervShape *s = fit->s;
    return fit->fwork + 2 * (size_t)s->channels * s->positions +
           2 * (size_t)s->hidden * ((size_t)s->positions + NERV_TILE);
}

/* The least-squares loop filter of the MLP's present outputs (nerv_filter_solve),
 * into filters, which the steps from here take their error after; the outputs
 * into dec (n frames). */
static void refit_filter(Fit *fit, NCIPool *pool, float *dec, float *filters)
{
    const NervShape *s = fit->s;
    size_t size = (size_t)s->channels * s->positions;
    float *scratch = filter_scratch(fit);
    NervFilterStats st;
    memset(&st, 0, sizeof(st));
    fit->filter = NULL;
    fit->keep = dec;
    run_frames(fit, pool, 0, 0, 1);
    fit->keep = NULL;
    for (int f = 0; f < fit->n; f++) nerv_filter_stats_add(s, dec + f * size, fit->x + f * size, &st, scratch);
    nerv_filter_solve(s, &st, filters);
    fit->filter = filters;
}

/* Quantizes the MLP's weights tensor by tensor, each at the step with the lowest
 * MSE + lambda * bits / samples given the tensors already chosen. */
static int choose_weight_steps(Fit *fit, NCIPool *pool, const RCParamTables *t, double lambda,
                               const NervRef *ref, NervSegment *seg, double *mse)
{
    const NervShape *s = fit->s;
    float *orig = malloc(sizeof(float) * fit->NP);
    int32_t *coded = malloc(sizeof(int32_t) * fit->NP);
    if (!orig || !coded) {
        free(orig), free(coded);
        return NC_ENOMEM;
    }
    memcpy(orig, fit->w, sizeof(float) * fit->NP);
    for (int k = 0; k < NERV_MLP_TENSORS; k++) {
        size_t off = nerv_tensor_offset(s, k), size = nerv_tensor_size(s, k);
        double best = INFINITY;
        int best_e = 8;
        for (int e = 4; e <= 12; e++) {
            quantize_tensor(fit, orig, ref, seg, k, e);
            for (size_t i = 0; i < size; i++)
                coded[i] = seg->wq[off + i] - (seg->predicted ? seg->wpred[off + i] : 0);
            double d = run_frames(fit, pool, 0, 0, 1);
            double cost = d + lambda * nerv_weight_bits(t, coded, size) * fit->inv_samples;
            if (cost < best) best = cost, best_e = e, *mse = d;
        }
        seg->wexp[k] = best_e;
        quantize_tensor(fit, orig, ref, seg, k, best_e);
    }
    free(orig), free(coded);
    return 0;
}

/* The squared error of plane q (all frames, dec as the MLP gives them) through
 * the filter f. */
static double filtered_sse(const Fit *fit, int q, const float *f, const float *dec, float *frame, float *scratch)
{
    const NervShape *s = fit->s;
    size_t size = (size_t)s->channels * s->positions;
    double sse = 0;
    for (int i = 0; i < fit->n; i++) {
        memcpy(frame, dec + i * size, sizeof(float) * size);
        nerv_filter_plane(s, q, f, frame, scratch);
        sse += nerv_plane_sse(s, q, frame, fit->x + i * size);
    }
    return sse;
}

/* Version 5's loop filters, once the MLP's weights are quantized. Each plane's
 * is its least-squares filter at the step with the lowest squared error +
 * lambda * bits, or, where either costs less, none (a 4-bit step of 0) or (a
 * predicted segment whose reference has one) the reference's as it is, whose
 * values code as zeros. dec: n frames of scratch. */
static int choose_filters(Fit *fit, NCIPool *pool, const RCParamTables *t, double lambda,
                          const NervRef *ref, NervSegment *seg, float *dec, double *mse)
{
    const NervShape *s = fit->s;
    float *frame = fit->fwork, *scratch = filter_scratch(fit); /* worker 0's, free here */
    float *solved = calloc(fit->NP, sizeof(float)), *kept = calloc(fit->NP, sizeof(float));
    int32_t coded[NERV_FILTER_VALUES];
    int ret = solved && kept ? 0 : NC_ENOMEM;
    if (ret < 0) goto end;
    size_t first = nerv_tensor_offset(s, NERV_MLP_TENSORS);
    refit_filter(fit, pool, dec, solved + first); /* dec: the MLP's own outputs */
    fit->filter = NULL;
    for (size_t i = first; ref && i < fit->NP; i++)
        kept[i] = ldexpf((float)ref->wq[i], -ref->wexp[NERV_MLP_TENSORS + (int)((i - first) / NERV_FILTER_VALUES)]);
    double sse_all = 0;
    for (int q = 0; q < nerv_planes(s); q++) {
        int k = NERV_MLP_TENSORS + q, kept_e = ref ? ref->wexp[k] : 0, best_e = 0;
        size_t off = nerv_tensor_offset(s, k);
        memset(fit->w + off, 0, sizeof(float) * NERV_FILTER_VALUES);
        double best_sse = filtered_sse(fit, q, fit->w + off, dec, frame, scratch);
        double best = (best_sse + lambda * 4) * fit->inv_samples;
        const float *choice = solved;
        for (int e = 4; e <= NERV_MAX_WEXP + 1; e++) { /* NERV_MAX_WEXP + 1: the reference's */
            const float *src = e > NERV_MAX_WEXP ? kept : solved;
            int step = e > NERV_MAX_WEXP ? kept_e : e;
            if (!step) continue;
            quantize_tensor(fit, src, ref, seg, k, step);
            for (int i = 0; i < NERV_FILTER_VALUES; i++)
                coded[i] = seg->wq[off + i] - (seg->predicted ? seg->wpred[off + i] : 0);
            double bits = 4 + 7 + nerv_weight_bits(t, coded, NERV_FILTER_VALUES); /* step, scale, values */
            double sse = filtered_sse(fit, q, fit->w + off, dec, frame, scratch);
            double cost = (sse + lambda * bits) * fit->inv_samples;
            if (cost < best) best = cost, best_sse = sse, best_e = step, choice = src;
        }
        seg->wexp[k] = best_e;
        if (best_e)
            quantize_tensor(fit, choice, ref, seg, k, best_e);
        else
            for (size_t i = off; i < off + NERV_FILTER_VALUES; i++) seg->wq[i] = 0, fit->w[i] = 0.0f;
        sse_all += best_sse; /* the planes are filtered apart: their errors add */
    }
    *mse = sse_all * fit->inv_samples;
end:
    free(solved), free(kept);
    return ret;
}

/* Local motion per segment (README, "Local motion per segment"; tuned on the
 * train clips). A vector's bit costs LOCAL_BIT_COST * lambda in the block
 * matching's summed absolute luma difference: at 30 (on `city`, quality 20) the
 * vectors took 15-35% fewer bytes for 1% less rate at the same PSNR, and on the
 * still camera of `motion` local motion went from a loss (12% more rate for
 * +0.15 dB) to a gain (2% more for +0.19). A segment whose vectors save nothing
 * against none (a still scene: every vector 0) goes without and spares their bits;
 * a threshold above 0 (0.001, which turned `motion` off) lost about 0.1 dB there. */
#define LOCAL_BIT_COST 30.0

int nerv_fit_segment(const NervShape *s, NCIPool *pool, const RCParamTables *t, const float *x,
                     int n, const NervFitParams *fp, NervSegment *seg, double *mse, double *bits)
{
    int32_t motion[2 * NERV_MAX_SEGMENT];
    const NervRef *ref = fp->ref && fp->ref->valid && fp->prev_frame ? fp->ref : NULL;
    nerv_estimate_motion(s, x, n, ref ? fp->prev_frame : NULL, ref ? ref->motion : NULL, motion);
    int ret = nerv_segment_alloc(seg, s, n, motion, ref);
    if (ret < 0) return ret;
    if (s->version >= 4 && fp->local_block_log2 && fp->local_warped && n > 1) {
        double block = (double)(1 << fp->local_block_log2), saving;
        if ((ret = nerv_segment_set_local(seg, s, fp->local_block_log2, fp->local_warped, NULL)) < 0 ||
            (ret = nerv_estimate_local(s, x, n, motion, fp->local_block_log2,
                                       LOCAL_BIT_COST * fp->lambda / (block * block), seg->local.v,
                                       &saving)) < 0) {
            nerv_segment_free(seg);
            return ret;
        }
        seg->local_saving = saving;
        if (saving <= 0) nerv_segment_clear_local(seg);
    }
    /* every frame's local field once: the steps read each frame's many times */
    NervLocal loc = seg->local;
    int32_t *field = NULL;
    if (loc.block_log2) {
        if (!(field = malloc(sizeof(int32_t) * 2 * (size_t)n * s->positions))) {
            nerv_segment_free(seg);
            return NC_ENOMEM;
        }
        for (int f = 0; f < n; f++) {
            int32_t *dx = field + (size_t)f * 2 * s->positions;
            nerv_local_field(s, &loc, f, dx, dx + s->positions);
        }
        loc.field = field;
    }
    Fit fit = {.s = s, .lay = &seg->lay, .motion = seg->motion, .loc = &loc, .x = x, .n = n};
    fit.NL = seg->lay.offset[s->levels];
    fit.NP = nerv_param_count(s);
    fit.inv_samples = 1.0 / ((double)n * s->positions * s->channels);
    int threads = nci_pool_threads(pool);
    fit.work_size = (size_t)s->levels * s->positions +
                    (4 * (size_t)s->hidden + 2 * (size_t)s->channels) * NERV_TILE;
    Adam a_lat = {0}, a_w = {0}, a_s = {0}, a_g = {0};
    LatentPass lp = {0};
    double scale[NERV_MAX_LEVELS * NERV_CONTEXTS];
    fit.sc = calloc((size_t)threads, sizeof(NervScratch));
    int sc_ok = fit.sc != NULL;
    for (int i = 0; i < threads && sc_ok; i++)
        sc_ok = nerv_scratch_alloc(&fit.sc[i], s, &seg->lay) >= 0;
    fit.lat = calloc(fit.NL, sizeof(float));
    fit.yhat = calloc(fit.NL, sizeof(float));
    fit.dhat = calloc(fit.NL, sizeof(float));
    fit.pred = calloc(fit.NL, sizeof(float));
    fit.g_y = calloc(fit.NL, sizeof(float));
    fit.g_lat = calloc(fit.NL, sizeof(float));
    fit.w = calloc(fit.NP, sizeof(float));
    fit.g_w = calloc(fit.NP, sizeof(float));
    size_t nscales = (size_t)s->levels * NERV_CONTEXTS;
    fit.logs = calloc(nscales, sizeof(float));
    fit.g_logs = calloc(nscales, sizeof(float));
    fit.qi = calloc(fit.NL, sizeof(int32_t));
    fit.g_mean = calloc(fit.NL, sizeof(float));
    fit.gz = calloc((size_t)n * s->levels * s->positions, sizeof(float));
    fit.gw = calloc((size_t)n * fit.NP, sizeof(float));
    fit.vgrids_size = nerv_view_grids_size(s, &seg->lay);
    fit.vgrids = malloc(sizeof(float) * (size_t)n * fit.vgrids_size);
    fit.sse = calloc((size_t)n, sizeof(double));
    fit.work = calloc((size_t)threads * fit.work_size, sizeof(float));
    int filtering = nerv_tensor_count(s) > NERV_MLP_TENSORS;
    float *fit_dec = NULL, filters[3 * NERV_FILTER_VALUES];
    if (filtering) {
        size_t size = (size_t)s->channels * s->positions;
        fit.fwork_size = 2 * size + 2 * (size_t)s->hidden * ((size_t)s->positions + NERV_TILE) +
                         nerv_filter_scratch_size(s);
        fit.fwork = malloc(sizeof(float) * threads * fit.fwork_size);
        fit_dec = malloc(sizeof(float) * n * size);
    }
    if (!sc_ok || !fit.lat || !fit.yhat || !fit.dhat || !fit.g_y || !fit.g_lat || !fit.w || !fit.g_w || !fit.logs ||
        !fit.g_logs || !fit.qi || !fit.g_mean || !fit.gz || !fit.gw || !fit.vgrids || !fit.sse || !fit.work ||
        (filtering && (!fit.fwork || !fit_dec)) ||
        adam_alloc(&a_lat, fit.NL) < 0 || adam_alloc(&a_w, fit.NP) < 0 ||
        adam_alloc(&a_s, nscales) < 0 || adam_alloc(&a_g, (size_t)s->levels) < 0 || !fit.pred) {
        ret = NC_ENOMEM;
        goto end;
    }
    uint64_t rng = fp->seed;
    /* A predicted segment starts from the segment before: its weights, and its
     * latents moved with the scene (scaled by GAIN_START) as the first slices'
     * values. The fit then
     * also learns each level's prediction gain, which only the rate sees: the
     * first slice is coded as lat - gain * yref, and its quantization noise
     * makes the synthesis see lat (plus noise) whatever the gain. */
    float gain[NERV_MAX_LEVELS];
    if (ref) {
        for (int k = 0; k < nerv_tensor_count(s); k++) {
            size_t off = nerv_tensor_offset(s, k);
            for (size_t i = 0; i < nerv_tensor_size(s, k); i++)
                fit.w[off + i] = ldexpf((float)ref->wq[off + i], -ref->wexp[k]);
        }
        for (int l = 0; l < s->levels; l++) {
            gain[l] = GAIN_START;
            size_t a = seg->lay.offset[l], size = (size_t)seg->lay.lw[l] * seg->lay.lh[l];
            for (size_t i = a; i < a + size; i++) fit.lat[i] = gain[l] * (float)seg->yref[i];
        }
    } else {
        init_weights(s, fit.w, &rng);
    }
    lp.fit = &fit, lp.seg = seg, lp.seed = rng, lp.adam = &a_lat, lp.scale = scale;
    if ((ret = latent_pass_alloc(&lp, s, &seg->lay)) < 0) goto end;
    int noise_steps = (int)(fp->steps * NOISE_SHARE);
    int groups = n < FRAME_GROUPS ? n : FRAME_GROUPS;
    double lambda = fp->lambda;
    /* what the latents' estimate leaves out: weights at about 8 bits (2 as changes), motion, scales */
    double fixed_bits = (ref ? 2.0 : 8.0) * fit.NP + 16.0 * n + 7.0 * (nerv_tensor_count(s) + NERV_CONTEXTS * s->levels);
    for (int step = 0; step < fp->steps; step++) {
        /* cosine decay of every learning rate to 0 */
        float decay = 0.5f * (1.0f + cosf((float)M_PI * (float)step / (float)fp->steps));
        int noisy = step < noise_steps;
        if (ref && step == noise_steps) /* the gains as coded, before the rounding steps */
            for (int l = 0; l < s->levels; l++) {
                int g = (int)lrintf(gain[l] * NERV_GAIN_ONE);
                seg->gain[l] = g < 0 ? 0 : g > NERV_GAIN_ONE ? NERV_GAIN_ONE : g;
            }
        /* the prediction (fixed once the gains are), the coded values (continuous)
         * and their rounding; then their contexts and means, their noisy or rounded
         * form and their bits.
         * Version 3's means in the rounding steps only: there the neighbours are the
         * integers the coder takes the means from. With the noise they are not, and
         * fitting with the means from the start gained nothing (README). */
        int means = s->version >= 3 && !noisy;
        lp.step = step, lp.noisy = noisy, lp.means = means;
        lp.set_pred = ref && (noisy || step == noise_steps);
        lp.gain = gain;
        lp.tap = means ? (const int(*)[2][NERV_MEAN_TAPS])seg->tap : NULL;
        lp.rate_weight = (float)(lambda * fit.inv_samples);
        for (size_t c = 0; c < nscales; c++) scale[c] = exp(fit.logs[c]); /* once, not per latent */
        nci_pool_run(pool, lp.chunks, coded_job, &lp);
        if (means && (step - noise_steps) % TAP_REFIT == 0) /* the taps follow the latents */
            nerv_fit_taps(s, &seg->lay, fit.qi, seg->tap);
        nci_pool_run(pool, lp.chunks, rate_job, &lp);
        if (means) nci_pool_run(pool, lp.chunks, mean_adjoint_job, &lp);
        nci_pool_run(pool, s->levels, integrate_job, &lp);
        memset(fit.g_y, 0, sizeof(float) * fit.NL);
        memset(fit.g_w, 0, sizeof(float) * fit.NP);
        double rate = 0, g_gain[NERV_MAX_LEVELS] = {0}, g_ls[NERV_MAX_LEVELS * NERV_CONTEXTS] = {0};
        for (int c = 0; c < lp.chunks; c++) { /* in chunk order */
            int l = lp.chunk[c].l;
            rate += lp.rate[c];
            g_gain[l] += lp.g_gain[c];
            for (int k = 0; k < NERV_CONTEXTS; k++) g_ls[l * NERV_CONTEXTS + k] += lp.g_ls[(size_t)c * NERV_CONTEXTS + k];
        }
        for (size_t c = 0; c < nscales; c++) fit.g_logs[c] = (float)(lp.rate_weight * g_ls[c]);
        if (filtering && !noisy && (step - noise_steps) % FILTER_REFIT == 0)
            refit_filter(&fit, pool, fit_dec, filters);
        run_frames(&fit, pool, 1, step % groups, groups);
        /* dual ascent on the rate constraint, once the rate model has settled */
        if (fp->target_bits > 0 && noisy && step >= fp->steps / 5) {
            double r = log((rate + fixed_bits) / fp->target_bits);
            lambda *= exp(0.05 * (r > 1 ? 1 : r < -1 ? -1 : r));
        }
        nci_pool_run(pool, s->levels, integrate_adjoint_job, &lp);
        lp.lr = LR_LATENT * decay;
        nci_pool_run(pool, lp.chunks, adam_job, &lp);
        adam_step(&a_w, fit.w, fit.g_w, LR_WEIGHT * decay, step + 1);
        adam_step(&a_s, fit.logs, fit.g_logs, LR_SCALE * decay, step + 1);
        if (ref && noisy) {
            float gg[NERV_MAX_LEVELS];
            for (int l = 0; l < s->levels; l++) gg[l] = (float)g_gain[l];
            adam_step(&a_g, gain, gg, LR_GAIN * decay, step + 1);
            for (int l = 0; l < s->levels; l++) gain[l] = gain[l] < 0 ? 0 : gain[l] > 1 ? 1 : gain[l];
        }
        if (fp->progress && (ret = fp->progress(fp->opaque, step + 1, fp->steps)) != 0) goto end;
    }
    for (int l = 0; l < s->levels; l++) {
        size_t a = seg->lay.offset[l], first = a + (size_t)seg->lay.lw[l] * seg->lay.lh[l];
        for (size_t i = a; i < seg->lay.offset[l + 1]; i++) {
            float v = fit.lat[i];
            if (ref && i < first) v -= (float)nerv_predict(seg->yref[i], seg->gain[l]);
            float q = rintf(v); /* clamped as a float: any float converts */
            q = q > NERV_MAX_MAGNITUDE ? NERV_MAX_MAGNITUDE : q < -NERV_MAX_MAGNITUDE ? -NERV_MAX_MAGNITUDE : q;
            seg->yq[i] = (int32_t)q;
        }
    }
    if (nerv_segment_latents(s, seg, fit.yhat) < 0) { /* never seen: values stay small */
        ret = NC_EINVAL;
        goto end;
    }
    if ((ret = choose_weight_steps(&fit, pool, t, lambda, ref, seg, mse)) < 0) goto end;
    if (nerv_tensor_count(s) > NERV_MLP_TENSORS && (ret = choose_filters(&fit, pool, t, lambda, ref, seg, fit_dec, mse)) < 0)
        goto end;
    if (s->version >= 3) nerv_fit_taps(s, &seg->lay, seg->yq, seg->tap);
    *bits = nerv_segment_choose_scales(t, s, seg);
    if (fp->lambda_out) *fp->lambda_out = lambda;
end:
    for (int i = 0; i < threads && fit.sc; i++) nerv_scratch_free(&fit.sc[i]);
    free(fit.sc);
    adam_free(&a_lat), adam_free(&a_w), adam_free(&a_s), adam_free(&a_g);
    latent_pass_free(&lp);
    free(fit.pred);
    free(fit.lat), free(fit.yhat), free(fit.dhat), free(fit.g_y), free(fit.g_lat), free(fit.w), free(fit.g_w);
    free(fit.logs), free(fit.g_logs), free(fit.qi), free(fit.g_mean);
    free(fit.gz), free(fit.gw), free(fit.vgrids), free(fit.sse), free(fit.work), free(fit.fwork), free(fit_dec);
    free(field);
    if (ret < 0) nerv_segment_free(seg);
    return ret;
}
