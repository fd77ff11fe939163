/* The demo trainer (nc-train demo): a causal conv net that predicts the next
 * byte of the training files from the ones before it, the kind of model that
 * drives a lossless coder. It proves the training path end to end: data, seeded
 * batches, Adam with a cosine schedule, checkpoints, resume, the .ncm output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/ops.h"
#include "libnc/nn/train_demo.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct Demo {
    const uint8_t *data;
    size_t size;
    int channels, kernel, batch, length;
    NNTensor *w1, *b1, *w2, *b2, *w3, *b3;
} Demo;

static NNTensor *demo_forward(NNGraph *g, const Demo *d, NNTensor *x)
{
    NNTensor *h = nn_gelu(g, nn_conv1d(g, x, d->w1, d->b1,
                                       nn_conv1d_params(1, -1, 1, 1, d->kernel)));
    h = nn_gelu(g, nn_conv1d(g, h, d->w2, d->b2, nn_conv1d_params(1, -1, 2, 1, d->kernel)));
    return nn_conv1d(g, h, d->w3, d->b3, nn_conv1d_params(1, 0, 1, 1, 1));
}

/* Sample t of a window, scaled to [-1, 1). */
static float sample(const Demo *d, size_t at)
{
    return ((float)d->data[at % d->size] - 128.0f) / 128.0f;
}

static NNTensor *demo_step(void *ctx, NNGraph *g, int64_t step, NNRng *rng)
{
    (void)step;
    const Demo *d = ctx;
    NNTensor *x = nn_tensor3(g, d->batch, 1, d->length);
    NNTensor *target = nn_tensor3(g, d->batch, 1, d->length);
    if (!x || !target)
        return NULL;
    for (int b = 0; b < d->batch; b++) {
        size_t start = (size_t)(nn_rng_next(rng) % d->size);
        for (int t = 0; t < d->length; t++) {
            x->data[b * d->length + t] = sample(d, start + (size_t)t);
            target->data[b * d->length + t] = sample(d, start + (size_t)t + 1);
        }
    }
    return nn_mse_loss(g, demo_forward(g, d, x), target);
}

static const char *const demo_options[] = {"channels", "kernel", "batch", "length", "lr", NULL};

static int demo_setup(const NCTrainJob *job, Demo *d, NNParams *ps, double *lr)
{
    int64_t ch, k, batch, len;
    int ret = train_check_options(job, demo_options);
    if (ret >= 0)
        ret = train_option_int(job, "channels", 16, 1, 256, &ch);
    if (ret >= 0)
        ret = train_option_int(job, "kernel", 5, 1, 31, &k);
    if (ret >= 0)
        ret = train_option_int(job, "batch", 8, 1, 1024, &batch);
    if (ret >= 0)
        ret = train_option_int(job, "length", 256, 8, 65536, &len);
    if (ret >= 0)
        ret = train_option_float(job, "lr", 3e-3, 1e-6, 1.0, lr);
    if (ret < 0)
        return ret;
    d->channels = (int)ch, d->kernel = (int)k, d->batch = (int)batch, d->length = (int)len;
    NNRng init;
    nn_rng_seed(&init, job->seed ^ 0x5eed);
    d->w1 = nn_param(ps, "conv1.weight", 3, (const int[]){d->channels, 1, d->kernel}, 0);
    d->b1 = nn_param(ps, "conv1.bias", 1, (const int[]){d->channels}, 1);
    d->w2 = nn_param(ps, "conv2.weight", 3, (const int[]){d->channels, d->channels, d->kernel}, 0);
    d->b2 = nn_param(ps, "conv2.bias", 1, (const int[]){d->channels}, 1);
    d->w3 = nn_param(ps, "out.weight", 3, (const int[]){1, d->channels, 1}, 0);
    d->b3 = nn_param(ps, "out.bias", 1, (const int[]){1}, 1);
    if (!d->w1 || !d->b1 || !d->w2 || !d->b2 || !d->w3 || !d->b3)
        return NC_ENOMEM;
    NNTensor *w[3] = {d->w1, d->w2, d->w3}, *b[3] = {d->b1, d->b2, d->b3};
    for (int i = 0; i < 3; i++) {
        nn_init_default(w[i], &init);
        nn_init_uniform(b[i], &init, 1.0f / sqrtf((float)(w[i]->numel / w[i]->shape[0])));
    }
    return 0;
}

/* The model holds what the run was given, not its wall-clock or loss history, so an
 * interrupted and resumed run writes the same bytes as an uninterrupted one. */
static int demo_write(const NCTrainJob *job, const Demo *d, const NNParams *ps, int64_t steps)
{
    char id[64];
    int ret = train_model_id(job, id);
    if (ret < 0)
        return ret;
    NCModelWriter *w = nc_model_writer_alloc(id, "demo-predictor");
    if (!w)
        return NC_ENOMEM;
    ret = nc_model_writer_set_param_int(w, "channels", d->channels);
    if (ret >= 0)
        ret = nc_model_writer_set_param_int(w, "kernel", d->kernel);
    if (ret >= 0)
        ret = nc_model_writer_set_param_int(w, "train.steps", steps);
    if (ret >= 0)
        ret = nc_model_writer_set_param_int(w, "train.seed", (int64_t)job->seed);
    if (ret >= 0)
        ret = nn_params_save(ps, w, NC_MODEL_F32);
    if (ret >= 0)
        ret = nc_model_writer_write_file(w, job->out_path, NULL);
    nc_model_writer_free(&w);
    return ret;
}

int nn_train_demo(const NCTrainJob *job)
{
    Demo d;
    memset(&d, 0, sizeof(d));
    uint8_t *data = NULL;
    NNParams *ps = nn_params_alloc();
    double lr = 0, loss = 0;
    if (!ps)
        return NC_ENOMEM;
    int ret = demo_setup(job, &d, ps, &lr);
    if (ret >= 0)
        ret = train_read_dir(job->data_dir, (size_t)64 << 20, &data, &d.size);
    if (ret >= 0) {
        d.data = data;
        int64_t total = job->steps > 0 ? job->steps : 2000;
        NNOptim o;
        nn_optim_init(&o, NN_ADAM);
        o.clip_norm = 1.0f;
        NNSchedule sched = {NN_LR_COSINE, (float)lr, total / 20, total, (float)lr * 0.05f, 0, 0};
        ret = train_run(job, "demo-predictor", ps, &o, &sched, total, demo_step, &d, &loss);
        if (ret >= 0) {
            nc_log(NULL, NC_LOG_INFO, "demo: final training loss %.6g\n", loss);
            ret = demo_write(job, &d, ps, total);
        }
    }
    free(data);
    nn_params_free(&ps);
    return ret;
}
