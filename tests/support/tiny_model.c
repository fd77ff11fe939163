/* The tests' tiny models and test signal (tiny_model.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "codecs/rvqspeech/export.h"
#include "codecs/rvqspeech/train_net.h"
#include "codecs/semantic/semantic.h"
#include "entropy/cdf.h"
#include "tests/support/tiny_model.h"

int rvq_test_write_tiny_model(const char *path, uint64_t seed)
{
    return rvq_test_write_model(path, "rvqspeech-tiny", 16, 8, seed);
}

int rvq_test_write_model(const char *path, const char *id, int channels, int latent,
                         uint64_t seed)
{
    NCRvqShape sh = {channels, latent, 12, 1024, channels};
    NNParams *ps = nn_params_alloc();
    NNRng rng;
    nn_rng_seed(&rng, seed);
    size_t ncb = (size_t)sh.stages * sh.codes * sh.latent;
    float *cb = malloc(sizeof(float) * ncb);
    uint64_t *use = malloc(sizeof(uint64_t) * (size_t)sh.stages * sh.codes);
    uint64_t repeat[2 * 12];
    int ret = ps && cb && use ? rvq_net_create(ps, &sh, &rng) : -1;
    for (size_t i = 0; cb && i < ncb; i++) {
        int s = (int)(i / ((size_t)sh.codes * sh.latent));
        cb[i] = nn_rng_normal(&rng) / (float)(1 + s);
    }
    for (int i = 0; use && i < sh.stages * sh.codes; i++) use[i] = 1 + 4096 / (1 + i % sh.codes);
    for (int s = 0; s < sh.stages; s++) repeat[2 * s] = 100, repeat[2 * s + 1] = 300;
    NCRvqExport e = {.path = path, .id = id, .shape = sh, .net = ps,
                     .codebooks = cb, .use = use, .repeat = repeat, .dtype = NC_MODEL_F16};
    if (ret >= 0)
        ret = rvq_export(&e);
    nn_params_free(&ps);
    free(cb);
    free(use);
    return ret;
}

void rvq_test_signal(float *x, int n, uint64_t seed)
{
    NNRng rng;
    nn_rng_seed(&rng, seed);
    double phase = 0;
    for (int i = 0; i < n; i++) {
        double t = i / 16000.0;
        double f0 = 120.0 + 40.0 * sin(2 * M_PI * 0.7 * t);
        phase += 2 * M_PI * f0 / 16000.0;
        double env = 0.5 + 0.5 * sin(2 * M_PI * 4.0 * t);
        double v = 0;
        for (int h = 1; h <= 8; h++) v += sin(h * phase) / h;
        x[i] = (float)(0.2 * env * v + 0.003 * nn_rng_normal(&rng));
    }
}

/* Random values, scale x N(0, 1), as a float tensor. */
static int add_random(NCModelWriter *w, NNRng *rng, const char *name, int ndim,
                      const int64_t *dims, float scale, float offset)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) n *= dims[d];
    float *v = malloc(sizeof(float) * (size_t)n);
    if (!v)
        return -1;
    for (int64_t i = 0; i < n; i++) v[i] = offset + scale * nn_rng_normal(rng);
    int ret = nc_model_writer_add_f32(w, name, ndim, dims, v, NC_MODEL_F16);
    free(v);
    return ret;
}

/* CDF rows favouring low symbols, as a trained model's would. */
static int add_cdf(NCModelWriter *w, const char *name, int rows, int n)
{
    uint64_t *count = malloc(sizeof(uint64_t) * (size_t)n);
    uint32_t *cdf = malloc(sizeof(uint32_t) * (size_t)(n + 1));
    int32_t *v = malloc(sizeof(int32_t) * (size_t)rows * (n + 1));
    int ret = count && cdf && v ? 0 : -1;
    for (int i = 0; ret >= 0 && i < n; i++) count[i] = 1 + 4096 / (1 + i);
    for (int r = 0; ret >= 0 && r < rows; r++) {
        ret = rc_cdf_from_weights(cdf, count, (unsigned)n, 16, 0);
        for (int i = 0; i <= n; i++) v[r * (n + 1) + i] = (int32_t)cdf[i];
    }
    if (ret >= 0)
        ret = nc_model_writer_add_tensor(w, name, NC_MODEL_I32, 2, (int64_t[]){rows, n + 1}, v, NULL);
    free(count);
    free(cdf);
    free(v);
    return ret;
}

int sem_test_write_tiny_model(const char *path, uint64_t seed)
{
    const int C = 16, K = 64, S = 4, A = 32;
    NNRng rng;
    nn_rng_seed(&rng, seed);
    NCModelWriter *w = nc_model_writer_alloc("semantic-tiny", SEM_ARCH);
    if (!w)
        return -1;
    int ret = nc_model_writer_set_param_int(w, "channels", C);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "sem_codes", K);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "stages", S);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "ac_codes", A);
    if (ret >= 0) ret = add_random(w, &rng, "feat.mean", 1, (int64_t[]){SEM_DIM}, 0.5f, 0.0f);
    if (ret >= 0) ret = add_random(w, &rng, "feat.std", 1, (int64_t[]){SEM_DIM}, 0.1f, 1.0f);
    for (int i = 0; i < SEM_CONVS && ret >= 0; i++) {
        int cin, cout, k, dil;
        char base[32], name[48];
        sem_conv_shape(i, C, &cin, &cout, &k, &dil);
        sem_conv_name(i, base, sizeof(base));
        snprintf(name, sizeof(name), "%s.weight", base);
        ret = add_random(w, &rng, name, 3, (int64_t[]){cout, cin, k}, 1.0f / sqrtf((float)(cin * k)), 0.0f);
        snprintf(name, sizeof(name), "%s.bias", base);
        if (ret >= 0) ret = add_random(w, &rng, name, 1, (int64_t[]){cout}, 0.1f, 0.0f);
    }
    if (ret >= 0) ret = add_random(w, &rng, "sem.codebook", 2, (int64_t[]){K, C}, 1.0f, 0.0f);
    if (ret >= 0) ret = add_random(w, &rng, "sem.shape", 2, (int64_t[]){K, SEM_DIM}, 1.0f, 0.0f);
    if (ret >= 0) ret = add_random(w, &rng, "ac.codebook", 3, (int64_t[]){S, A, SEM_DIM}, 0.3f, 0.0f);
    if (ret >= 0) ret = add_cdf(w, "cdf.sem", 1, K);
    if (ret >= 0) ret = add_cdf(w, "cdf.repeat", 1, 2);
    if (ret >= 0) ret = add_cdf(w, "cdf.ac", S, A);
    if (ret >= 0) ret = add_cdf(w, "cdf.gain", 1, 2 * SEM_GAIN_DELTA + 1);
    if (ret >= 0) ret = nc_model_writer_write_file(w, path, NULL);
    nc_model_writer_free(&w);
    return ret;
}
