/* nc-train semantic: the semantic net by masked prediction, then the codebooks
 * and the entropy coder's statistics (README.md, "Training").
 *
 *  1. Targets: k-means (100) of normalized block shapes (HuBERT's first iteration
 *     clusters MFCCs; log-mel shapes play that part here).
 *  2. The causal conv net sees the shapes with spans masked (set to the mean) and
 *     predicts the target cluster of every masked block (cross-entropy); its
 *     features are what the semantic tokens quantize. Steps run in train_run
 *     (checkpoints, exact resume).
 *  3. On fresh crops: k-means of the features (the semantic codebook), each
 *     token's mean shape, residual VQ of what the mean shape leaves, and the
 *     symbol statistics the static CDFs are made from. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/semantic/semantic.h"
#include "codecs/trainers.h"
#include "entropy/cdf.h"
#include "libnc/nn/ops.h"
#include "libnc/nn/params.h"
#include "libnc/nn/train_audio.h"
#include "libnc/vq/rvq_train.h"
#include "nc/error.h"
#include "nc/log.h"

#define MAX_SETS 8
#define TARGETS 100

typedef struct Trainer {
    NNAudioSet sets[MAX_SETS];
    int nsets;
    SemAnalysis an;
    int batch, tokens, channels, sem_codes, stages, ac_codes, crops;
    float mask_p;
    float *crop;   /* SEM_DELAY + tokens * 640 samples */
    float *feat;   /* [tokens * 4][SEM_MELS] */
    float *shape;  /* [batch][tokens][SEM_DIM] */
    float *gain;   /* [batch][tokens] */
    float *scratch;
    float mean[SEM_DIM], std[SEM_DIM];
    NCRvq targets; /* one stage, TARGETS codes */
    int *target, *masked_rows;
    NNTensor *w[SEM_CONVS], *b[SEM_CONVS], *head_w, *head_b;
} Trainer;

/* Crops of every set in turn (each set as likely as the others, whatever its
 * size), analysed into block shapes and gains: shape [tokens][SEM_DIM]. */
static void crop_blocks(Trainer *t, NNRng *rng, float *shape, float *gain)
{
    const NNAudioSet *set = &t->sets[nn_rng_next(rng) % (uint64_t)t->nsets];
    nn_audio_crop(set, rng, t->crop, SEM_DELAY + t->tokens * SEM_TOKEN_SAMPLES);
    sem_analyze(&t->an, t->crop, t->tokens * SEM_BLOCK_FRAMES, t->feat);
    for (int k = 0; k < t->tokens; k++)
        gain[k] = sem_block_split(t->feat + (size_t)k * SEM_DIM, shape + (size_t)k * SEM_DIM);
}

/* The net on normalized shapes x [B, SEM_DIM, T] -> features [B, C, T]. */
static NNTensor *net_forward(Trainer *t, NNGraph *g, NNTensor *x)
{
    int cin, cout, k, dil;
    sem_conv_shape(0, t->channels, &cin, &cout, &k, &dil);
    NNTensor *h = nn_conv1d(g, x, t->w[0], t->b[0], nn_conv1d_params(1, -1, dil, 1, k));
    for (int u = 0; u < SEM_RES_UNITS; u++) {
        int i = 1 + 2 * u;
        sem_conv_shape(i, t->channels, &cin, &cout, &k, &dil);
        NNTensor *r = nn_conv1d(g, nn_gelu(g, h), t->w[i], t->b[i],
                                nn_conv1d_params(1, -1, dil, 1, k));
        r = nn_conv1d(g, nn_gelu(g, r), t->w[i + 1], t->b[i + 1], nn_conv1d_params(1, 0, 1, 1, 1));
        h = nn_add(g, h, r);
    }
    return h;
}

/* Normalized shapes of the batch as [B, SEM_DIM, T]; masked blocks (mask != NULL
 * and mask[b * T + k]) stay zero, the mean. */
static NNTensor *input_tensor(Trainer *t, NNGraph *g, const float *shape, const uint8_t *mask,
                              int batch)
{
    const int T = t->tokens;
    NNTensor *x = nn_tensor3(g, batch, SEM_DIM, T);
    if (!x)
        return NULL;
    for (int b = 0; b < batch; b++)
        for (int k = 0; k < T; k++) {
            const float *s = shape + ((size_t)b * T + k) * SEM_DIM;
            int off = mask && mask[b * T + k];
            for (int d = 0; d < SEM_DIM; d++)
                x->data[((size_t)b * SEM_DIM + d) * T + k] =
                    off ? 0.0f : (s[d] - t->mean[d]) / t->std[d];
        }
    return x;
}

static NNTensor *train_step(void *ctx, NNGraph *g, int64_t step, NNRng *rng)
{
    (void)step;
    Trainer *t = ctx;
    const int B = t->batch, T = t->tokens;
    uint8_t mask[64 * 256];
    int rows = 0;
    memset(mask, 0, sizeof(mask));
    for (int b = 0; b < B; b++) {
        crop_blocks(t, rng, t->shape + (size_t)b * T * SEM_DIM, t->gain + (size_t)b * T);
        for (int k = 0; k < T; k++)
            if (nn_rng_uniform(rng) < t->mask_p)
                for (int j = k; j < k + 4 && j < T; j++) mask[b * T + j] = 1;
        for (int k = 0; k < T; k++) {
            if (!mask[b * T + k])
                continue;
            t->masked_rows[rows] = b * T + k;
            t->target[rows++] = vq_nearest(&t->targets, 0, t->shape + ((size_t)b * T + k) * SEM_DIM,
                                           t->scratch);
        }
    }
    if (!rows) { /* no block masked: predict the first one */
        mask[0] = 1;
        t->masked_rows[0] = 0;
        t->target[rows++] = vq_nearest(&t->targets, 0, t->shape, t->scratch);
    }
    NNTensor *x = input_tensor(t, g, t->shape, mask, B);
    NNTensor *logits = nn_conv1d(g, net_forward(t, g, x), t->head_w, t->head_b,
                                 nn_conv1d_params(1, 0, 1, 1, 1));
    NNTensor *lt = nn_transpose12(g, logits);
    NNTensor *flat = lt ? nn_reshape(g, lt, 2, (int[]){B * T, TARGETS}) : NULL;
    NNTensor *picked = nn_embedding(g, nn_log_softmax(g, flat), t->masked_rows, rows);
    return nn_nll_loss(g, picked, t->target);
}

/* Mean and spread of every shape dimension, and the target clusters, from
 * `crops` crops drawn with its own generator (a resumed run makes the same). */
static int prepare(Trainer *t, uint64_t seed)
{
    NNRng rng;
    nn_rng_seed(&rng, seed ^ 0x73656d616e746963ull);
    const int n = 256 * t->tokens;
    float *x = malloc(sizeof(float) * (size_t)n * SEM_DIM), *gain = malloc(sizeof(float) * (size_t)n);
    if (!x || !gain) {
        free(x);
        free(gain);
        return NC_ENOMEM;
    }
    for (int c = 0; c < 256; c++) crop_blocks(t, &rng, x + (size_t)c * t->tokens * SEM_DIM, gain + (size_t)c * t->tokens);
    for (int d = 0; d < SEM_DIM; d++) {
        double s = 0.0, s2 = 0.0;
        for (int i = 0; i < n; i++) {
            s += x[(size_t)i * SEM_DIM + d];
            s2 += (double)x[(size_t)i * SEM_DIM + d] * x[(size_t)i * SEM_DIM + d];
        }
        t->mean[d] = (float)(s / n);
        t->std[d] = (float)sqrt(fmax(s2 / n - (s / n) * (s / n), 1e-4));
    }
    uint64_t krng = seed ^ 0x6b6d65616e73ull;
    int ret = vq_init(&t->targets, 1, TARGETS, SEM_DIM);
    if (ret >= 0)
        ret = vq_kmeans(&t->targets, 0, x, n, 10, &krng);
    free(x);
    free(gain);
    return ret;
}

static int make_params(Trainer *t, NNParams *ps, NNRng *rng)
{
    for (int i = 0; i < SEM_CONVS; i++) {
        int cin, cout, k, dil;
        char base[32], name[48];
        sem_conv_shape(i, t->channels, &cin, &cout, &k, &dil);
        sem_conv_name(i, base, sizeof(base));
        snprintf(name, sizeof(name), "%s.weight", base);
        t->w[i] = nn_param(ps, name, 3, (int[]){cout, cin, k}, 0);
        snprintf(name, sizeof(name), "%s.bias", base);
        t->b[i] = nn_param(ps, name, 1, (int[]){cout}, 0);
        if (!t->w[i] || !t->b[i])
            return NC_ENOMEM;
        nn_init_default(t->w[i], rng);
        nn_init_const(t->b[i], 0.0f);
    }
    t->head_w = nn_param(ps, "head.weight", 3, (int[]){TARGETS, t->channels, 1}, 0);
    t->head_b = nn_param(ps, "head.bias", 1, (int[]){TARGETS}, 0);
    if (!t->head_w || !t->head_b)
        return NC_ENOMEM;
    nn_init_default(t->head_w, rng);
    nn_init_const(t->head_b, 0.0f);
    return 0;
}

/* Everything after the net: codebooks, mean shapes, statistics. */
typedef struct Stats {
    NCRvq sem, ac;
    float *sem_shape;          /* [sem_codes][SEM_DIM] */
    uint64_t *sem_count;       /* [sem_codes] */
    uint64_t repeat[2];        /* token == previous: no, yes */
    uint64_t *ac_count;        /* [stages][ac_codes] */
    uint64_t gain_count[2 * SEM_GAIN_DELTA + 1];
} Stats;

static int learn_codebooks(Trainer *t, uint64_t seed, Stats *st)
{
    const int T = t->tokens, B = t->batch, n = t->crops * T, C = t->channels;
    float *feat = malloc(sizeof(float) * (size_t)n * C);
    float *shape = malloc(sizeof(float) * (size_t)n * SEM_DIM);
    float *gain = malloc(sizeof(float) * (size_t)n);
    int *tok = malloc(sizeof(int) * (size_t)n);
    float *scratch = malloc(sizeof(float) * (SEM_MAX_CODES + 2 * SEM_DIM));
    NNGraph *g = nn_graph_alloc();
    NNRng rng;
    nn_rng_seed(&rng, seed ^ 0x636f6465626f6f6bull);
    int ret = feat && shape && gain && tok && scratch && g ? 0 : NC_ENOMEM;
    if (g)
        nn_graph_set_grad(g, 0);
    nc_log(NULL, NC_LOG_INFO, "semantic: features of %d blocks", n);
    for (int c0 = 0; c0 < t->crops && ret >= 0; c0 += B) {
        int nb = t->crops - c0 < B ? t->crops - c0 : B;
        for (int b = 0; b < nb; b++)
            crop_blocks(t, &rng, shape + (size_t)(c0 + b) * T * SEM_DIM, gain + (size_t)(c0 + b) * T);
        nn_graph_reset(g);
        NNTensor *h = net_forward(t, g, input_tensor(t, g, shape + (size_t)c0 * T * SEM_DIM, NULL, nb));
        if (!h) {
            ret = nn_graph_error(g) < 0 ? nn_graph_error(g) : NC_ENOMEM;
            break;
        }
        for (int b = 0; b < nb; b++)
            for (int k = 0; k < T; k++)
                for (int ch = 0; ch < C; ch++)
                    feat[((size_t)(c0 + b) * T + k) * C + ch] = h->data[((size_t)b * C + ch) * T + k];
    }
    uint64_t krng = seed ^ 0x73656d6b6dull;
    nc_log(NULL, NC_LOG_INFO, "semantic: k-means of %d features into %d tokens", n, t->sem_codes);
    if (ret >= 0) ret = vq_init(&st->sem, 1, t->sem_codes, C);
    if (ret >= 0) ret = vq_kmeans(&st->sem, 0, feat, n, 12, &krng);
    st->sem_shape = calloc((size_t)t->sem_codes * SEM_DIM, sizeof(float));
    st->sem_count = calloc((size_t)t->sem_codes, sizeof(uint64_t));
    st->ac_count = calloc((size_t)t->stages * t->ac_codes, sizeof(uint64_t));
    if (ret >= 0 && (!st->sem_shape || !st->sem_count || !st->ac_count))
        ret = NC_ENOMEM;
    for (int i = 0; i < n && ret >= 0; i++) {
        tok[i] = vq_nearest(&st->sem, 0, feat + (size_t)i * C, scratch);
        st->sem_count[tok[i]]++;
        for (int d = 0; d < SEM_DIM; d++) st->sem_shape[(size_t)tok[i] * SEM_DIM + d] += shape[(size_t)i * SEM_DIM + d];
        if (i % T)
            st->repeat[tok[i] == tok[i - 1]]++;
    }
    for (int c = 0; c < t->sem_codes && ret >= 0; c++)
        for (int d = 0; d < SEM_DIM && st->sem_count[c]; d++)
            st->sem_shape[(size_t)c * SEM_DIM + d] /= (float)st->sem_count[c];
    /* residuals, in place of the shapes */
    for (int i = 0; i < n && ret >= 0; i++)
        for (int d = 0; d < SEM_DIM; d++) shape[(size_t)i * SEM_DIM + d] -= st->sem_shape[(size_t)tok[i] * SEM_DIM + d];
    nc_log(NULL, NC_LOG_INFO, "semantic: residual VQ, %d stages of %d", t->stages, t->ac_codes);
    if (ret >= 0) ret = vq_init(&st->ac, t->stages, t->ac_codes, SEM_DIM);
    if (ret >= 0) ret = vq_kmeans_init(&st->ac, shape, n, 8, seed ^ 0x61636f757374ull);
    int idx[SEM_MAX_STAGES];
    for (int i = 0; i < n && ret >= 0; i++) {
        vq_encode(&st->ac, shape + (size_t)i * SEM_DIM, t->stages, idx, NULL, NULL, scratch);
        for (int s = 0; s < t->stages; s++) st->ac_count[(size_t)s * t->ac_codes + idx[s]]++;
    }
    /* gains as the encoder codes them: deltas within a crop, clamped */
    for (int c = 0; c < t->crops && ret >= 0; c++) {
        int prev = sem_gain_index(gain[(size_t)c * T], -1);
        for (int k = 1; k < T; k++) {
            int q = sem_gain_index(gain[(size_t)c * T + k], prev);
            st->gain_count[q - prev + SEM_GAIN_DELTA]++;
            prev = q;
        }
    }
    free(feat);
    free(shape);
    free(gain);
    free(tok);
    free(scratch);
    nn_graph_free(&g);
    return ret;
}

/* CDF rows at 16 bits from counts (every symbol codable). */
static int add_cdfs(NCModelWriter *w, const char *name, const uint64_t *counts, int rows, int n)
{
    int32_t *v = malloc(sizeof(int32_t) * (size_t)rows * (n + 1));
    uint32_t *cdf = malloc(sizeof(uint32_t) * (size_t)(n + 1));
    int ret = v && cdf ? 0 : NC_ENOMEM;
    for (int r = 0; r < rows && ret >= 0; r++) {
        ret = rc_cdf_from_weights(cdf, counts + (size_t)r * n, (unsigned)n, 16, 0);
        for (int i = 0; i <= n && ret >= 0; i++) v[(size_t)r * (n + 1) + i] = (int32_t)cdf[i];
    }
    if (ret >= 0)
        ret = nc_model_writer_add_tensor(w, name, NC_MODEL_I32, 2, (int64_t[]){rows, n + 1}, v, NULL);
    free(v);
    free(cdf);
    return ret;
}

static double entropy_bits(const uint64_t *c, int n)
{
    double total = 0.0, h = 0.0;
    for (int i = 0; i < n; i++) total += (double)c[i];
    for (int i = 0; i < n && total > 0; i++)
        if (c[i])
            h -= (double)c[i] / total * log2((double)c[i] / total);
    return h;
}

static int write_model(const NCTrainJob *job, Trainer *t, const Stats *st, int64_t steps,
                       double loss)
{
    char id[64];
    int ret = train_model_id(job, id);
    NCModelWriter *w = ret >= 0 ? nc_model_writer_alloc(id, SEM_ARCH) : NULL;
    if (!w)
        return ret < 0 ? ret : NC_ENOMEM;
    ret = nc_model_writer_set_param_int(w, "channels", t->channels);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "sem_codes", t->sem_codes);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "stages", t->stages);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "ac_codes", t->ac_codes);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.steps", steps);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.seed", (int64_t)job->seed);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.batch", t->batch);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.tokens", t->tokens);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.crops", t->crops);
    if (ret >= 0) ret = nc_model_writer_set_param_float(w, "train.loss", loss);
    int64_t samples = 0;
    for (int i = 0; i < t->nsets; i++) samples += t->sets[i].total;
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "train.samples", samples);
    if (ret >= 0) ret = nc_model_writer_add_f32(w, "feat.mean", 1, (int64_t[]){SEM_DIM}, t->mean, NC_MODEL_F32);
    if (ret >= 0) ret = nc_model_writer_add_f32(w, "feat.std", 1, (int64_t[]){SEM_DIM}, t->std, NC_MODEL_F32);
    for (int i = 0; i < SEM_CONVS && ret >= 0; i++) {
        char base[32], name[48];
        sem_conv_name(i, base, sizeof(base));
        NNTensor *pair[2] = {t->w[i], t->b[i]};
        for (int j = 0; j < 2 && ret >= 0; j++) {
            int64_t dims[3];
            for (int d = 0; d < pair[j]->ndim; d++) dims[d] = pair[j]->shape[d];
            snprintf(name, sizeof(name), "%s.%s", base, j ? "bias" : "weight");
            ret = nc_model_writer_add_f32(w, name, pair[j]->ndim, dims, pair[j]->data,
                                          j ? NC_MODEL_F32 : NC_MODEL_F16);
        }
    }
    if (ret >= 0) ret = nc_model_writer_add_f32(w, "sem.codebook", 2, (int64_t[]){t->sem_codes, t->channels}, st->sem.cb, NC_MODEL_F16);
    if (ret >= 0) ret = nc_model_writer_add_f32(w, "sem.shape", 2, (int64_t[]){t->sem_codes, SEM_DIM}, st->sem_shape, NC_MODEL_F16);
    if (ret >= 0) ret = nc_model_writer_add_f32(w, "ac.codebook", 3, (int64_t[]){t->stages, t->ac_codes, SEM_DIM}, st->ac.cb, NC_MODEL_F16);
    if (ret >= 0) ret = add_cdfs(w, "cdf.sem", st->sem_count, 1, t->sem_codes);
    if (ret >= 0) ret = add_cdfs(w, "cdf.repeat", st->repeat, 1, 2);
    if (ret >= 0) ret = add_cdfs(w, "cdf.ac", st->ac_count, t->stages, t->ac_codes);
    if (ret >= 0) ret = add_cdfs(w, "cdf.gain", st->gain_count, 1, 2 * SEM_GAIN_DELTA + 1);
    if (ret >= 0) ret = nc_model_writer_write_file(w, job->out_path, NULL);
    nc_model_writer_free(&w);
    double rep = (double)st->repeat[1] / (double)(st->repeat[0] + st->repeat[1] + 1);
    nc_log(NULL, NC_LOG_INFO,
           "semantic: token entropy %.2f bits (repeats %.1f%%), acoustic stage 1 %.2f bits, gain "
           "delta %.2f bits",
           entropy_bits(st->sem_count, t->sem_codes), 100.0 * rep,
           entropy_bits(st->ac_count, t->ac_codes), entropy_bits(st->gain_count, 2 * SEM_GAIN_DELTA + 1));
    return ret;
}

static int add_sets(Trainer *t, const char *list)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (t->nsets == MAX_SETS)
            return NC_EINVAL;
        NNAudioSet *s = &t->sets[t->nsets];
        s->rate = SEM_RATE;
        int files = nn_audio_add_dir(s, dir);
        if (files <= 0 || !s->total) {
            nc_log(NULL, NC_LOG_ERROR, "semantic: no mono 16-bit WAV files in %s", dir);
            nn_audio_free(s);
            return NC_EINVAL;
        }
        nc_log(NULL, NC_LOG_INFO, "semantic: %s: %d files, %.1f min", dir, files,
               (double)s->total / SEM_RATE / 60.0);
        t->nsets++;
    }
    return t->nsets ? 0 : NC_EINVAL;
}

static int semantic_train(const NCTrainJob *job)
{
    static const char *const known[] = {"batch", "tokens", "channels", "sem_codes", "stages",
                                        "ac_codes", "crops", "lr", "mask", NULL};
    Trainer t = {0};
    int64_t v[7];
    double lr, mask;
    int ret = train_check_options(job, known);
    if (ret >= 0) ret = train_option_int(job, "batch", 16, 1, 64, &v[0]);
    if (ret >= 0) ret = train_option_int(job, "tokens", 64, 8, 256, &v[1]);
    if (ret >= 0) ret = train_option_int(job, "channels", 192, 8, 512, &v[2]);
    if (ret >= 0) ret = train_option_int(job, "sem_codes", 1024, 2, SEM_MAX_CODES, &v[3]);
    if (ret >= 0) ret = train_option_int(job, "stages", 8, 1, SEM_MAX_STAGES, &v[4]);
    if (ret >= 0) ret = train_option_int(job, "ac_codes", 256, 2, SEM_MAX_CODES, &v[5]);
    if (ret >= 0) ret = train_option_int(job, "crops", 800, 1, 100000, &v[6]);
    if (ret >= 0) ret = train_option_float(job, "lr", 1e-3, 1e-6, 1.0, &lr);
    if (ret >= 0) ret = train_option_float(job, "mask", 0.1, 0.0, 1.0, &mask);
    if (ret < 0)
        return ret;
    t.batch = (int)v[0];
    t.tokens = (int)v[1];
    t.channels = (int)v[2];
    t.sem_codes = (int)v[3];
    t.stages = (int)v[4];
    t.ac_codes = (int)v[5];
    t.crops = (int)v[6];
    t.mask_p = (float)mask;
    const int64_t total = job->steps > 0 ? job->steps : 2000;
    NNParams *ps = nn_params_alloc();
    Stats st = {0};
    ret = ps ? add_sets(&t, job->data_dir) : NC_ENOMEM;
    if (ret >= 0) ret = sem_analysis_init(&t.an);
    t.crop = malloc(sizeof(float) * (size_t)(SEM_DELAY + t.tokens * SEM_TOKEN_SAMPLES));
    t.feat = malloc(sizeof(float) * (size_t)t.tokens * SEM_DIM);
    t.shape = malloc(sizeof(float) * (size_t)t.batch * t.tokens * SEM_DIM);
    t.gain = malloc(sizeof(float) * (size_t)t.batch * t.tokens);
    t.scratch = malloc(sizeof(float) * (SEM_MAX_CODES + 2 * SEM_DIM));
    t.target = malloc(sizeof(int) * (size_t)t.batch * t.tokens);
    t.masked_rows = malloc(sizeof(int) * (size_t)t.batch * t.tokens);
    if (ret >= 0 && (!t.crop || !t.feat || !t.shape || !t.gain || !t.scratch || !t.target || !t.masked_rows))
        ret = NC_ENOMEM;
    if (ret >= 0 && t.batch * t.tokens > 64 * 256)
        ret = NC_EINVAL;
    if (ret >= 0) ret = prepare(&t, job->seed);
    NNRng rng;
    nn_rng_seed(&rng, job->seed);
    if (ret >= 0) ret = make_params(&t, ps, &rng);
    double loss = 0.0;
    if (ret >= 0) {
        NNOptim o;
        nn_optim_init(&o, NN_ADAM);
        o.clip_norm = 5.0f;
        NNSchedule sched = {NN_LR_COSINE, (float)lr, total / 20, total, (float)lr * 0.05f, 0, 0};
        ret = train_run(job, SEM_ARCH, ps, &o, &sched, total, train_step, &t, &loss);
    }
    if (ret == 0) ret = learn_codebooks(&t, job->seed, &st);
    if (ret == 0) ret = write_model(job, &t, &st, total, loss);
    for (int i = 0; i < t.nsets; i++) nn_audio_free(&t.sets[i]);
    sem_analysis_free(&t.an);
    vq_free(&t.targets);
    vq_free(&st.sem);
    vq_free(&st.ac);
    free(st.sem_shape);
    free(st.sem_count);
    free(st.ac_count);
    free(t.crop);
    free(t.feat);
    free(t.shape);
    free(t.gain);
    free(t.scratch);
    free(t.target);
    free(t.masked_rows);
    nn_params_free(&ps);
    return ret;
}

const NCTrainer semantic_trainer = {
    .name = SEM_CODEC,
    .help = "the semantic net (masked prediction), semantic and acoustic codebooks and the\n"
            "token statistics. --data: folders of mono 16-bit WAV files (any rate, resampled\n"
            "to 16 kHz) joined by ':', each drawn from equally (e.g.\n"
            "data/speech/train:data/music/train). -o batch=16 tokens=64 channels=192\n"
            "sem_codes=1024 stages=8 ac_codes=256 crops=800 lr=1e-3 mask=0.1",
    .train = semantic_train,
};
