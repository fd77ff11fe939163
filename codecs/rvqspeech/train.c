/* The rvqspeech trainer (train.h).
 *
 * One step: random 1.02 s crops -> analysis features -> encoder -> residual
 * quantizer with quantizer dropout (each crop uses a random number of stages,
 * so every prefix of stages learns to decode) and a straight-through gradient ->
 * decoder -> iSTFT head; loss = multi-resolution STFT loss on the fully
 * overlapped part of the output + commitment (latent to its quantization).
 * Codebooks are not trained by gradient: k-means at the start, then EMA updates
 * with dead-code restarts (rvq_train.h). Checkpoints (network + optimizer, and
 * the quantizer's state) are written every few minutes together with the
 * exported model, so a run can stop at any time and resume. With -o average=,
 * the export holds an exponential moving average of the weights instead of the
 * last step's (kept in a third checkpoint file, so resuming stays exact). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codecs/rvqspeech/export.h"
#include "codecs/rvqspeech/gains.h"
#include "codecs/rvqspeech/model.h"
#include "libnc/dsp/mel.h"
#include "libnc/vq/rvq_train.h"
#include "codecs/rvqspeech/spectral.h"
#include "codecs/rvqspeech/train.h"
#include "libnc/nn/train_job.h"
#include "libnc/nn/train_audio.h"
#include "codecs/rvqspeech/train_istft.h"
#include "codecs/rvqspeech/train_net.h"
#include "libnc/nn/ops.h"
#include "libnc/nn/optim.h"
#include "nc/error.h"
#include "nc/log.h"
#include "nc/model.h"

#define ARCH "rvqspeech-train"

typedef struct TrainConfig {
    const NCTrainJob *job;
    const char *data; /* training WAV folder */
    const char *out;  /* exported model */
    char ckpt[1024];  /* checkpoint stem: <ckpt>.net.ncm, <ckpt>.rvq.ncm */
    const char *resume; /* stem to resume from, or NULL */
    const char *from;   /* exported model to start from (-o from=), or NULL */
    char id[64];
    double minutes, save_minutes;
    int64_t steps;
    int batch, frames;
    float lr, commit, mel; /* mel: weight of the log-mel loss (-o mel=), 0 for none */
    float average;         /* decay of the exported weight average (-o average=), 0 for none */
    int fixed_stages;      /* every crop through this many stages (-o stages=), 0: dropout */
    float corrections;     /* weight of the loss after the encoder's gains and turns (-o corrections=) */
    uint64_t seed;
    NCRvqShape shape;
} TrainConfig;

typedef struct Trainer {
    TrainConfig cfg;
    NNAudioSet data;
    NNParams *ps;
    NNParams *avg; /* the weights' moving average when cfg.average > 0, else NULL */
    NNOptim opt;
    NNGraph *g;
    NNRng rng;
    NCRvq rvq;
    NCRvqEma ema;
    NCRvqSpectral sp;
    NCMelBank *mel[3]; /* the log-mel loss's banks (when cfg.mel > 0) */
    int64_t step;
    double elapsed; /* seconds of training over all runs */
    uint64_t *use;    /* [stages][codes] index counts (measure_priors) */
    uint64_t *repeat; /* [stages][2]: frames equal to / differing from the frame before */
    float *seg, *feat, *lat, *quant, *scratch;
    NCComplex *low; /* [B][T][NC_RVQ_PHASE_BINS]: the crops' low bins (cfg.corrections > 0) */
    int *idx;
} Trainer;

/* The weights that are exported and whose index statistics are measured. */
static NNParams *exported(const Trainer *t)
{
    return t->avg ? t->avg : t->ps;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int seg_len(const TrainConfig *c)
{
    return (c->frames + 1) * NC_RVQ_HOP;
}

/* Features [B, F, T] of the crops in t->seg, and their low bins into t->low when
 * the corrections need them. */
static void features(Trainer *t)
{
    const int B = t->cfg.batch, T = t->cfg.frames, F = NC_RVQ_BINS, L = seg_len(&t->cfg);
    float f[NC_RVQ_BINS];
    for (int b = 0; b < B; b++)
        for (int k = 0; k < T; k++) {
            rvq_analyze(&t->sp, t->seg + (int64_t)b * L + (int64_t)k * NC_RVQ_HOP, f);
            for (int i = 0; i < F; i++) t->feat[((int64_t)b * F + i) * T + k] = f[i];
            if (t->low)
                memcpy(t->low + ((int64_t)b * T + k) * NC_RVQ_PHASE_BINS,
                       t->sp.spec + NC_RVQ_PHASE_FIRST_BIN, sizeof(NCComplex) * NC_RVQ_PHASE_BINS);
        }
}

static void crops(Trainer *t)
{
    const int L = seg_len(&t->cfg);
    for (int b = 0; b < t->cfg.batch; b++)
        nn_audio_crop(&t->data, &t->rng, t->seg + (int64_t)b * L, L);
}

/* Latent [B, D, T] (graph) -> t->lat as [B * T][D] vectors. */
static void gather_latent(Trainer *t, const NNTensor *z)
{
    const int B = t->cfg.batch, T = t->cfg.frames, D = t->cfg.shape.latent;
    for (int b = 0; b < B; b++)
        for (int d = 0; d < D; d++)
            for (int k = 0; k < T; k++)
                t->lat[((int64_t)b * T + k) * D + d] = z->data[((int64_t)b * D + d) * T + k];
}

static int kmeans_start(Trainer *t)
{
    const int rounds = 48, n = rounds * t->cfg.batch * t->cfg.frames, D = t->cfg.shape.latent;
    float *all = malloc(sizeof(float) * (size_t)n * (size_t)D);
    if (!all)
        return NC_ENOMEM;
    nn_graph_set_grad(t->g, 0);
    for (int r = 0; r < rounds; r++) {
        nn_graph_reset(t->g);
        crops(t);
        features(t);
        NNTensor *x = nn_tensor_from(t->g, 3, (int[]){t->cfg.batch, NC_RVQ_BINS, t->cfg.frames},
                                     t->feat);
        NNTensor *z = rvq_net_encode(t->g, t->ps, &t->cfg.shape, x);
        if (!z) {
            free(all);
            return nn_graph_error(t->g);
        }
        gather_latent(t, z);
        memcpy(all + (size_t)r * t->cfg.batch * t->cfg.frames * D, t->lat,
               sizeof(float) * (size_t)t->cfg.batch * t->cfg.frames * D);
    }
    nn_graph_set_grad(t->g, 1);
    int ret = vq_kmeans_init(&t->rvq, all, n, 6, t->cfg.seed ^ 0x6b6d65616e73ull);
    free(all);
    if (ret >= 0)
        vq_ema_reset(&t->ema, &t->rvq, 1.0f);
    return ret;
}

/* Quantizes t->lat with per-crop stage counts, tallies index statistics, fills
 * t->quant [B, D, T]. */
static void quantize(Trainer *t, const int *nq)
{
    const int B = t->cfg.batch, T = t->cfg.frames, D = t->cfg.shape.latent;
    const int S = t->cfg.shape.stages;
    float q[256];
    for (int b = 0; b < B; b++)
        for (int k = 0; k < T; k++) {
            const float *z = t->lat + ((int64_t)b * T + k) * D;
            int *idx = t->idx + ((int64_t)b * T + k) * S;
            vq_encode(&t->rvq, z, S, idx, NULL, NULL, t->scratch);
            vq_decode(&t->rvq, idx, nq[b], q);
            for (int d = 0; d < D; d++) t->quant[((int64_t)b * D + d) * T + k] = q[d];
        }
}

/* Index statistics of the current network and codebooks on a fixed set of
 * training crops: the entropy coder's starting CDFs and repeat probabilities. */
static int measure_priors(Trainer *t)
{
    const int B = t->cfg.batch, T = t->cfg.frames, S = t->cfg.shape.stages;
    const int K = t->cfg.shape.codes, D = t->cfg.shape.latent, rounds = 64;
    NNRng keep = t->rng;
    nn_rng_seed(&t->rng, 0x7072696f72ull); /* the same crops at every export */
    memset(t->use, 0, sizeof(uint64_t) * (size_t)S * K);
    memset(t->repeat, 0, sizeof(uint64_t) * 2 * (size_t)S);
    nn_graph_set_grad(t->g, 0);
    int ret = 0;
    for (int r = 0; r < rounds && ret >= 0; r++) {
        nn_graph_reset(t->g);
        crops(t);
        features(t);
        NNTensor *x = nn_tensor_from(t->g, 3, (int[]){B, NC_RVQ_BINS, T}, t->feat);
        NNTensor *z = rvq_net_encode(t->g, exported(t), &t->cfg.shape, x);
        if (!z) {
            ret = nn_graph_error(t->g);
            break;
        }
        gather_latent(t, z);
        for (int i = 0; i < B * T; i++) {
            int *idx = t->idx + (int64_t)i * S;
            vq_encode(&t->rvq, t->lat + (int64_t)i * D, S, idx, NULL, NULL, t->scratch);
            for (int s = 0; s < S; s++) {
                t->use[(int64_t)s * K + idx[s]]++;
                if (i % T)
                    t->repeat[2 * s + (idx[s] != idx[s - S])]++;
            }
        }
    }
    nn_graph_set_grad(t->g, 1);
    t->rng = keep;
    return ret;
}

/* The log-mel loss's scales: FFT sizes, hops and mel bands (Slaney, 0-8 kHz). */
static const int mel_ffts[3] = {512, 1024, 2048}, mel_hops[3] = {128, 256, 512},
                 mel_bands[3] = {40, 64, 80};

/* Multi-scale log-mel L1 loss (as HiFi-GAN and DAC add to their STFT losses): mean
 * |log(mel |Y| + 1e-5) - log(mel |T| + 1e-5)| averaged over the scales. Mel bands
 * weigh the low frequencies, where speech's formants and intelligibility are, by
 * their width on the ear's scale; the STFT loss weighs every bin alike. */
static NNTensor *mel_loss(NNGraph *g, const Trainer *t, NNTensor *y, NNTensor *target)
{
    NNTensor *total = NULL;
    for (int i = 0; i < 3; i++) {
        NNTensor *my = nn_log(g, nn_mel(g, nn_stft_magnitude(g, y, mel_ffts[i], mel_hops[i], 1e-7f),
                                        t->mel[i]), 1e-5f);
        NNTensor *mt = nn_log(g, nn_mel(g, nn_stft_magnitude(g, target, mel_ffts[i], mel_hops[i],
                                                             1e-7f), t->mel[i]), 1e-5f);
        NNTensor *l = nn_l1_loss(g, my, mt);
        total = total ? nn_add(g, total, l) : l;
    }
    return nn_scale(g, total, 1.0f / 3.0f);
}

/* The decoder's output dec with the band gains and phase turns that the codec's
 * encoder would send at 6 kbit/s added (measured open loop, as rvqspeech_enc.c
 * does before its closed loop), held constant: what the decoder's network leaves
 * after them, for the loss of -o corrections=. */
static NNTensor *corrected(Trainer *t, NNTensor *dec)
{
    const int B = t->cfg.batch, T = t->cfg.frames, F = 2 * NC_RVQ_BINS;
    NNTensor *corr = nn_tensor3(t->g, B, F, T);
    if (!corr)
        return NULL;
    float spec[2 * NC_RVQ_BINS], feat[NC_RVQ_BINS], add[2 * NC_RVQ_BINS];
    for (int b = 0; b < B; b++) {
        int8_t q[2][NC_RVQ_SIDE] = {{0}};
        for (int k = 0; k < T; k++) {
            int8_t *cur = q[k & 1], *prev = q[(k + 1) & 1];
            for (int i = 0; i < NC_RVQ_BINS; i++) feat[i] = t->feat[((int64_t)b * NC_RVQ_BINS + i) * T + k];
            for (int i = 0; i < F; i++) spec[i] = dec->data[((int64_t)b * F + i) * T + k];
            rvq_corrections_measure(&t->sp, feat, t->low + ((int64_t)b * T + k) * NC_RVQ_PHASE_BINS,
                                    spec, prev, NC_RVQ_GAIN_BIAS_TURNS, cur);
            memset(add, 0, sizeof(add));
            rvq_corrections_apply(cur, add);
            for (int i = 0; i < F; i++) corr->data[((int64_t)b * F + i) * T + k] = add[i];
        }
    }
    return nn_add(t->g, dec, corr);
}

/* The STFT and log-mel losses of output y [B, (T + 1) hop] where two frames overlap
 * (samples [hop, T hop)) against target; the STFT loss alone into *spec_out unless
 * NULL. */
static NNTensor *output_loss(Trainer *t, NNTensor *y, NNTensor *target, NNTensor **spec_out)
{
    static const int ffts[] = {256, 512, 1024}, hops[] = {64, 128, 256};
    NNGraph *g = t->g;
    NNTensor *ys = nn_slice(g, y, 1, NC_RVQ_HOP, (t->cfg.frames - 1) * NC_RVQ_HOP);
    NNTensor *loss = nn_multires_stft_loss(g, ys, target, ffts, hops, 3);
    if (spec_out)
        *spec_out = loss;
    if (t->cfg.mel > 0)
        loss = nn_add(g, loss, nn_scale(g, mel_loss(g, t, ys, target), t->cfg.mel));
    return loss;
}

static int train_step(Trainer *t, double *loss_out, double *commit_out)
{
    const int B = t->cfg.batch, T = t->cfg.frames, D = t->cfg.shape.latent, L = seg_len(&t->cfg);
    NNGraph *g = t->g;
    nn_graph_reset(g);
    crops(t);
    features(t);
    NNTensor *x = nn_tensor_from(g, 3, (int[]){B, NC_RVQ_BINS, T}, t->feat);
    NNTensor *z = rvq_net_encode(g, t->ps, &t->cfg.shape, x);
    if (!z)
        return nn_graph_error(g);
    gather_latent(t, z);
    int nq[64];
    for (int b = 0; b < B; b++)
        nq[b] = t->cfg.fixed_stages ? t->cfg.fixed_stages
                                    : 1 + (int)(nn_rng_next(&t->rng) % (uint64_t)t->cfg.shape.stages);
    quantize(t, nq);
    /* straight-through: zq = z + (q - z) with the difference held constant */
    NNTensor *q = nn_tensor_from(g, 3, (int[]){B, D, T}, t->quant);
    NNTensor *diff = nn_tensor3(g, B, D, T);
    if (!q || !diff)
        return nn_graph_error(g);
    for (int64_t i = 0; i < diff->numel; i++) diff->data[i] = t->quant[i] - z->data[i];
    NNTensor *zq = nn_add(g, z, diff);
    NNTensor *commit = nn_mse_loss(g, z, q);
    NNTensor *dec = rvq_net_decode(g, t->ps, &t->cfg.shape, zq);
    NNTensor *target = nn_tensor2(g, B, (T - 1) * NC_RVQ_HOP);
    if (!dec || !target)
        return nn_graph_error(g);
    for (int b = 0; b < B; b++)
        memcpy(target->data + (int64_t)b * (T - 1) * NC_RVQ_HOP,
               t->seg + (int64_t)b * L + NC_RVQ_HOP, sizeof(float) * (size_t)(T - 1) * NC_RVQ_HOP);
    NNTensor *spec; /* the STFT loss alone, logged */
    NNTensor *loss = nn_add(g, output_loss(t, rvq_nn_istft(g, dec), target, &spec),
                            nn_scale(g, commit, t->cfg.commit));
    /* the loss after the encoder's corrections is added to, not put in place of, the
     * loss without them: without it the network leaves the band energies to the
     * gains, which then cost more bits (README, "Trained with the corrections") */
    if (t->cfg.corrections > 0)
        loss = nn_add(g, loss, nn_scale(g, output_loss(t, rvq_nn_istft(g, corrected(t, dec)), target,
                                                       NULL), t->cfg.corrections));
    if (!loss || nn_backward(g, loss) < 0)
        return nn_graph_error(g) ? nn_graph_error(g) : NC_EINVAL;
    *loss_out = spec->data[0];
    *commit_out = commit->data[0];
    float lr = t->cfg.lr * (t->step < 200 ? (float)(t->step + 1) / 200.0f : 1.0f);
    int ret = nn_optim_step(&t->opt, t->ps, lr);
    if (ret >= 0 && t->avg)
        ret = nn_params_average(t->avg, t->ps, t->cfg.average);
    if (ret < 0)
        return ret;
    ret = vq_ema_update(&t->ema, &t->rvq, t->lat, B * T);
    t->step++;
    return ret;
}

static int save_rvq_state(const Trainer *t, const char *path)
{
    const NCRvqShape *sh = &t->cfg.shape;
    NCModelWriter *w = nc_model_writer_alloc("checkpoint", "rvqspeech-rvq");
    if (!w)
        return NC_ENOMEM;
    int64_t d3[3] = {sh->stages, sh->codes, sh->latent}, d2[2] = {sh->stages, sh->codes};
    int ret = nc_model_writer_add_f32(w, "rvq.codebooks", 3, d3, t->rvq.cb, NC_MODEL_F32);
    if (ret >= 0)
        ret = nc_model_writer_add_f32(w, "ema.count", 2, d2, t->ema.count, NC_MODEL_F32);
    if (ret >= 0)
        ret = nc_model_writer_add_f32(w, "ema.sum", 3, d3, t->ema.sum, NC_MODEL_F32);
    if (ret >= 0)
        ret = nc_model_writer_write_file(w, path, NULL);
    nc_model_writer_free(&w);
    return ret;
}

/* The quantizer's codebooks from m's "rvq.codebooks" (a checkpoint's or an exported
 * model's), with their search tables; NC_EMODEL when absent or of another shape. */
static int load_codebooks(Trainer *t, const NCModel *m)
{
    const NCModelTensor *cb = nc_model_tensor(m, "rvq.codebooks");
    if (!cb || cb->numel != (int64_t)t->rvq.stages * t->rvq.codes * t->rvq.dim)
        return NC_EMODEL;
    int ret = nc_model_tensor_to_f32(cb, t->rvq.cb, cb->numel);
    for (int s = 0; s < t->rvq.stages && ret >= 0; s++) vq_refresh(&t->rvq, s);
    return ret;
}

static int load_rvq_state(Trainer *t, const char *path)
{
    NCModel *m = NULL;
    int ret = nc_model_load_file(&m, path);
    if (ret < 0)
        return ret;
    const NCModelTensor *cnt = nc_model_tensor(m, "ema.count");
    const NCModelTensor *sum = nc_model_tensor(m, "ema.sum");
    int64_t n = (int64_t)t->rvq.stages * t->rvq.codes;
    if (!cnt || !sum || cnt->numel != n || sum->numel != n * t->rvq.dim)
        ret = NC_EMODEL;
    if (ret >= 0)
        ret = load_codebooks(t, m);
    if (ret >= 0)
        ret = nc_model_tensor_to_f32(cnt, t->ema.count, cnt->numel);
    if (ret >= 0)
        ret = nc_model_tensor_to_f32(sum, t->ema.sum, sum->numel);
    nc_model_free(&m);
    return ret;
}

/* The shipped model: network and codebooks in f16, index priors measured by
 * measure_priors(). */
static int export_model(Trainer *t)
{
    char steps[32], batch[32], secs[32], seed[32];
    snprintf(steps, sizeof(steps), "%lld", (long long)t->step);
    snprintf(batch, sizeof(batch), "%d", t->cfg.batch);
    snprintf(secs, sizeof(secs), "%.0f", t->elapsed);
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)t->cfg.seed);
    const char *info[] = {"train.steps", steps, "train.batch", batch, "train.seconds", secs,
                          "train.seed", seed, NULL};
    NCRvqExport e = {.path = t->cfg.out, .id = t->cfg.id, .shape = t->cfg.shape, .net = exported(t),
                     .codebooks = t->rvq.cb, .use = t->use, .repeat = t->repeat, .info = info,
                     .dtype = NC_MODEL_F16};
    return rvq_export(&e);
}

/* The weight average as <stem>.avg.ncm; without averaging, an older average at
 * that stem is removed, so that a later leg resuming with averaging does not
 * pick up weights from before this one. */
static int save_average(const Trainer *t, const char *stem)
{
    char path[1100];
    snprintf(path, sizeof(path), "%s.avg.ncm", stem);
    if (!t->avg)
        return unlink(path) < 0 && errno != ENOENT ? NC_EIO : 0;
    NCModelWriter *w = nc_model_writer_alloc("checkpoint", "rvqspeech-avg");
    if (!w)
        return NC_ENOMEM;
    int ret = nn_params_save(t->avg, w, NC_MODEL_F32);
    if (ret >= 0)
        ret = nc_model_writer_write_file(w, path, NULL);
    nc_model_writer_free(&w);
    return ret;
}

/* With averaging on: the average from <resume>.avg.ncm when resuming from a
 * checkpoint that has one, else (a fresh start, a model to start from, or a
 * checkpoint of a leg without averaging) from the current weights. */
static int start_average(Trainer *t)
{
    if (t->cfg.average <= 0)
        return 0;
    t->avg = nn_params_clone(t->ps);
    if (!t->avg)
        return NC_ENOMEM;
    char path[1100] = "";
    if (t->cfg.resume)
        snprintf(path, sizeof(path), "%s.avg.ncm", t->cfg.resume);
    if (!path[0] || access(path, F_OK) != 0) {
        nc_log(NULL, NC_LOG_INFO, "rvqspeech: the weight average starts from the current weights");
        return 0;
    }
    NCModel *m = NULL;
    int ret = nc_model_load_file(&m, path);
    if (ret >= 0)
        ret = nn_params_load(t->avg, m);
    if (ret < 0)
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: cannot load the weight average %s", path);
    nc_model_free(&m);
    return ret;
}

static int save_all(Trainer *t)
{
    char path[1100];
    uint64_t user[3] = {(uint64_t)t->step, t->rng.state, (uint64_t)(t->elapsed * 1000.0)};
    snprintf(path, sizeof(path), "%s.net.ncm", t->cfg.ckpt);
    int ret = nn_checkpoint_save(path, ARCH, t->ps, &t->opt, user, 3);
    snprintf(path, sizeof(path), "%s.rvq.ncm", t->cfg.ckpt);
    if (ret >= 0)
        ret = save_rvq_state(t, path);
    if (ret >= 0)
        ret = save_average(t, t->cfg.ckpt);
    if (ret >= 0)
        ret = measure_priors(t);
    if (ret >= 0)
        ret = export_model(t);
    return ret;
}

static int try_resume(Trainer *t)
{
    char path[1100];
    uint64_t user[3] = {0};
    if (!t->cfg.resume)
        return 0;
    snprintf(path, sizeof(path), "%s.net.ncm", t->cfg.resume);
    int ret = nn_checkpoint_load(path, ARCH, t->ps, &t->opt, user, 3);
    snprintf(path, sizeof(path), "%s.rvq.ncm", t->cfg.resume);
    if (ret >= 0)
        ret = load_rvq_state(t, path);
    if (ret < 0) {
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: cannot resume from %s(.net.ncm, .rvq.ncm)",
               t->cfg.resume);
        return ret;
    }
    t->step = (int64_t)user[0];
    t->rng.state = user[1];
    t->elapsed = (double)user[2] / 1000.0;
    return 1;
}

/* A warm start from an exported model (another leg on new data or with another
 * loss): its network and codebooks; the optimizer, step count and EMA statistics
 * start afresh (an exported model holds none of them). The quantizer's shape must
 * match; a narrower network is widened (nn_params_load_widened: the same output). */
static int start_from_model(Trainer *t)
{
    NCModel *m = NULL;
    int ret = nc_model_load_file(&m, t->cfg.from);
    if (ret < 0) {
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: cannot load %s", t->cfg.from);
        return ret;
    }
    ret = load_codebooks(t, m);
    if (ret == NC_EMODEL)
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: %s has no codebooks of this shape", t->cfg.from);
    if (ret >= 0) ret = nn_params_load_widened(t->ps, m);
    if (ret >= 0)
        vq_ema_reset(&t->ema, &t->rvq, 1.0f);
    nc_model_free(&m);
    return ret;
}

#define TRAINER_HELP                                                                         \
    "Trains the rvqspeech network and quantizer on the mono WAV files (any rate, converted\n" \
    "to 16 kHz) in --data, folders joined by ':' (scripts/fetch-data speech speech-extra:\n"  \
    "data/speech/train:data/speech-extra/train). Stops at --steps or after -o minutes,\n"     \
    "checkpointing (OUT.ckpt.net.ncm, OUT.ckpt.rvq.ncm) and exporting OUT every\n"            \
    "save_minutes; --resume OUT.ckpt continues. Options: minutes=30\n"                      \
    "save_minutes=5 batch=8 lr=1e-3 channels=128 dec_channels=CHANNELS (the decoder's\n"     \
    "width) from=MODEL.ncm (start from an exported model's network and codebooks, with a\n"  \
    "fresh optimizer; a narrower network is widened to these widths, computing what it\n"   \
    "did) mel=0 (weight of a multi-scale log-mel L1 loss added to the STFT loss)\n"         \
    "average=0 (export a moving average of the weights with this decay per step, e.g.\n"     \
    "0.9995, instead of the last step's weights; 0 for none) stages=0 (every crop through\n"  \
    "this many stages instead of a random count: a model tuned for one rate) corrections=0\n" \
    "(weight of a second loss, on the output with the band gains and phase turns that the\n" \
    "encoder would send applied)."

static int job_config(TrainConfig *c, const NCTrainJob *job)
{
    static const char *const known[] = {"minutes", "save_minutes", "batch", "lr", "channels",
                                        "dec_channels", "from", "mel", "average", "stages",
                                        "corrections", NULL};
    int64_t batch, channels, dec_channels, fixed_stages;
    double minutes, save_minutes, lr, mel, average, corrections;
    *c = (TrainConfig){.steps = job->steps > 0 ? job->steps : INT64_MAX, .frames = 50,
                       .commit = 1.0f, .seed = job->seed,
                       .shape = {128, 64, NC_RVQ_MAX_STAGES, NC_RVQ_CODES}};
    int ret = train_check_options(job, known);
    if (ret >= 0) ret = train_option_float(job, "minutes", 30, 0, 1e6, &minutes);
    if (ret >= 0) ret = train_option_float(job, "save_minutes", 5, 0.1, 1e6, &save_minutes);
    if (ret >= 0) ret = train_option_int(job, "batch", 8, 1, 64, &batch);
    if (ret >= 0) ret = train_option_float(job, "lr", 1e-3, 1e-6, 1, &lr);
    if (ret >= 0) ret = train_option_int(job, "channels", 128, 8, 1024, &channels);
    if (ret >= 0) ret = train_option_int(job, "dec_channels", channels, 8, 1024, &dec_channels);
    if (ret >= 0) ret = train_option_float(job, "mel", 0, 0, 100, &mel);
    if (ret >= 0) ret = train_option_float(job, "average", 0, 0, 0.99999, &average);
    if (ret >= 0) ret = train_option_int(job, "stages", 0, 0, NC_RVQ_MAX_STAGES, &fixed_stages);
    if (ret >= 0) ret = train_option_float(job, "corrections", 0, 0, 100, &corrections);
    if (ret >= 0) ret = train_model_id(job, c->id);
    if (ret < 0)
        return ret;
    if (!job->data_dir || !job->out_path) {
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: --data and --out are needed");
        return NC_EINVAL;
    }
    c->data = job->data_dir;
    c->out = job->out_path;
    if (job->checkpoint_path)
        snprintf(c->ckpt, sizeof(c->ckpt), "%s", job->checkpoint_path);
    else
        snprintf(c->ckpt, sizeof(c->ckpt), "%s.ckpt", job->out_path);
    c->resume = job->resume_path;
    c->from = train_option(job, "from");
    if (c->from && c->resume) {
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: --resume and -o from= exclude each other");
        return NC_EINVAL;
    }
    c->minutes = minutes > 0 ? minutes : 1e9;
    c->save_minutes = save_minutes;
    c->batch = (int)batch;
    c->lr = (float)lr;
    c->mel = (float)mel;
    c->average = (float)average;
    c->fixed_stages = (int)fixed_stages;
    c->corrections = (float)corrections;
    c->shape.channels = (int)channels;
    c->shape.dec_channels = (int)dec_channels;
    c->job = job;
    return 0;
}

static int setup(Trainer *t)
{
    const TrainConfig *c = &t->cfg;
    int files = nn_audio_add_dirs(&t->data, c->data);
    if (files <= 0 || !t->data.total) {
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: no training audio in %s (run "
               "scripts/fetch-data speech)", c->data);
        return files < 0 ? files : NC_EINVAL;
    }
    const int B = c->batch, T = c->frames, D = c->shape.latent, S = c->shape.stages;
    const int K = c->shape.codes;
    t->ps = nn_params_alloc();
    t->g = nn_graph_alloc();
    nn_rng_seed(&t->rng, c->seed);
    nn_optim_init(&t->opt, NN_ADAM);
    t->opt.clip_norm = 5.0f;
    t->seg = malloc(sizeof(float) * (size_t)B * seg_len(c));
    t->feat = malloc(sizeof(float) * (size_t)B * NC_RVQ_BINS * T);
    if (c->corrections > 0)
        t->low = malloc(sizeof(NCComplex) * (size_t)B * T * NC_RVQ_PHASE_BINS);
    t->lat = malloc(sizeof(float) * (size_t)B * T * D);
    t->quant = malloc(sizeof(float) * (size_t)B * T * D);
    t->scratch = malloc(sizeof(float) * (size_t)(K + 2 * D));
    t->idx = malloc(sizeof(int) * (size_t)B * T * S);
    t->use = calloc((size_t)S * K, sizeof(uint64_t));
    t->repeat = calloc(2 * (size_t)S, sizeof(uint64_t));
    if (!t->ps || !t->g || !t->seg || !t->feat || !t->lat || !t->quant || !t->scratch ||
        !t->idx || !t->use || !t->repeat || (c->corrections > 0 && !t->low))
        return NC_ENOMEM;
    int ret = rvq_net_create(t->ps, &c->shape, &t->rng);
    if (ret >= 0) ret = vq_init(&t->rvq, S, K, D);
    if (ret >= 0) ret = vq_ema_init(&t->ema, &t->rvq, 0.99f, 0.02f, c->seed ^ 0x656d61ull);
    if (ret >= 0) ret = rvq_spectral_init(&t->sp);
    for (int i = 0; i < 3 && ret >= 0 && c->mel > 0; i++)
        ret = dsp_mel_bank_alloc(&t->mel[i], 16000, mel_ffts[i], mel_bands[i], 0.0f, 8000.0f,
                                 NC_MEL_SLANEY, 1);
    return ret;
}

static void teardown(Trainer *t)
{
    nn_audio_free(&t->data);
    nn_params_free(&t->ps);
    nn_params_free(&t->avg);
    nn_graph_free(&t->g);
    vq_free(&t->rvq);
    vq_ema_free(&t->ema);
    rvq_spectral_free(&t->sp);
    for (int i = 0; i < 3; i++) dsp_mel_bank_free(&t->mel[i]);
    free(t->seg);
    free(t->feat);
    free(t->low);
    free(t->lat);
    free(t->quant);
    free(t->scratch);
    free(t->idx);
    free(t->use);
    free(t->repeat);
}

static int train(const NCTrainJob *job)
{
    Trainer t = {0};
    int ret = job_config(&t.cfg, job);
    if (ret >= 0)
        ret = setup(&t);
    int resumed = ret >= 0 ? try_resume(&t) : 0;
    if (resumed < 0)
        ret = resumed;
    if (ret >= 0 && !resumed)
        ret = t.cfg.from ? start_from_model(&t) : kmeans_start(&t);
    if (ret >= 0)
        ret = start_average(&t);
    if (ret >= 0)
        nc_log(NULL, NC_LOG_INFO, "rvqspeech: %s at step %lld, %lld parameters, %.1f h of audio",
               resumed ? "resumed" : t.cfg.from ? "started from a model" : "started", (long long)t.step,
               (long long)nn_params_numel(t.ps), (double)t.data.total / 16000.0 / 3600.0);
    double start = now_seconds(), last_save = start, acc = 0;
    int nacc = 0, stopped = 0;
    while (ret >= 0 && t.step < t.cfg.steps && now_seconds() - start < 60.0 * t.cfg.minutes) {
        if ((job->stop && *job->stop) || (job->stop_at > 0 && t.step >= job->stop_at)) {
            stopped = 1;
            break;
        }
        double t0 = now_seconds(), loss = 0, commit = 0;
        ret = train_step(&t, &loss, &commit);
        t.elapsed += now_seconds() - t0;
        acc += loss, nacc++;
        if (ret >= 0 && job->progress)
            job->progress(job->opaque, t.step, t.cfg.steps == INT64_MAX ? 0 : t.cfg.steps, loss);
        if (ret >= 0 && t.step % 25 == 0) {
            nc_log(NULL, NC_LOG_INFO, "rvqspeech: step %lld loss %.4f commit %.4f restarts %lld "
                   "%.0f s", (long long)t.step, acc / nacc, commit, (long long)t.ema.restarts,
                   t.elapsed);
            acc = 0, nacc = 0;
        }
        if (ret >= 0 && now_seconds() - last_save > 60.0 * t.cfg.save_minutes) {
            ret = save_all(&t);
            last_save = now_seconds();
        }
    }
    if (ret >= 0 && t.step > 0)
        ret = save_all(&t);
    teardown(&t);
    return ret < 0 ? ret : stopped ? NC_EAGAIN : 0;
}

const NCTrainer rvqspeech_trainer = {"rvqspeech", TRAINER_HELP, train};
