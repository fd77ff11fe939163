/* The tests' tiny model and test signal (tiny_model.h). */
#include <math.h>
#include <stdlib.h>

#include "codecs/rvqspeech/export.h"
#include "codecs/rvqspeech/train_net.h"
#include "tests/rvqspeech/tiny_model.h"

int rvq_test_write_tiny_model(const char *path, uint64_t seed)
{
    NCRvqShape sh = {16, 8, 12, 1024};
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
    NCRvqExport e = {.path = path, .id = "rvqspeech-tiny", .shape = sh, .net = ps,
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
