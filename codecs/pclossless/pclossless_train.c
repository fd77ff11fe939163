/* nc-train pclossless: learns an HCLT from an MNIST-style idx file and writes the
 * model (.ncm) after every epoch, so a long run always leaves a usable model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codecs/pclossless/hclt_train.h"
#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pclossless_train.h"
#include "nc/error.h"
#include "nc/log.h"

#define MAX_IDX_BYTES ((size_t)1 << 31)

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int pc_read_idx_images(const char *path, uint8_t **pixels, int *n, int *w, int *h)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: cannot open %s", path);
        return NC_EIO;
    }
    uint8_t hdr[16];
    int ret = NC_EINVALIDDATA;
    *pixels = NULL;
    if (fread(hdr, 1, 16, f) != 16 || read_be32(hdr) != 0x803) goto fail;
    uint32_t count = read_be32(hdr + 4), rows = read_be32(hdr + 8), cols = read_be32(hdr + 12);
    if (!count || !rows || !cols || (uint64_t)rows * cols > PC_MAX_VARS ||
        (uint64_t)count * rows * cols > MAX_IDX_BYTES)
        goto fail;
    size_t bytes = (size_t)count * rows * cols;
    ret = NC_ENOMEM;
    if (!(*pixels = malloc(bytes))) goto fail;
    ret = NC_ETRUNCATED;
    if (fread(*pixels, 1, bytes, f) != bytes) goto fail;
    fclose(f);
    *n = (int)count;
    *w = (int)cols;
    *h = (int)rows;
    return 0;
fail:
    nc_log(NULL, NC_LOG_ERROR, "pclossless: %s is not a readable idx3 image file", path);
    free(*pixels);
    *pixels = NULL;
    fclose(f);
    return ret;
}

typedef struct TrainRun {
    const char *id, *out, *data;
    int w, h, n;
    const PCTrainRecipe *recipe;
    struct timespec start;
} TrainRun;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static int save_epoch(void *opaque, int epoch, double train_bpd, const PCHclt *m)
{
    const TrainRun *run = opaque;
    char v[8][32];
    snprintf(v[0], sizeof(v[0]), "%d", run->n);
    snprintf(v[1], sizeof(v[1]), "%d", epoch + 1);
    snprintf(v[2], sizeof(v[2]), "%.4f", train_bpd);
    snprintf(v[3], sizeof(v[3]), "%d", run->recipe->minibatch_epochs);
    snprintf(v[4], sizeof(v[4]), "%d", run->recipe->batch);
    snprintf(v[5], sizeof(v[5]), "%g", (double)run->recipe->pseudocount);
    snprintf(v[6], sizeof(v[6]), "%llu", (unsigned long long)run->recipe->seed);
    snprintf(v[7], sizeof(v[7]), "%.0f", seconds_since(&run->start));
    const char *params[] = {"train_data", run->data, "train_samples", v[0], "epochs_done", v[1],
                            "train_bpd", v[2], "minibatch_epochs", v[3], "batch", v[4],
                            "pseudocount", v[5], "seed", v[6], "train_seconds", v[7], NULL};
    int ret = pc_model_write(m, run->w, run->h, run->id, run->out, params, NULL);
    nc_log(NULL, NC_LOG_INFO, "pclossless: epoch %d: %.4f bits/pixel on the training set, %s %s",
           epoch + 1, train_bpd, ret < 0 ? "could not write" : "wrote", run->out);
    return ret < 0;
}

static int usage(void)
{
    nc_log(NULL, NC_LOG_ERROR,
           "usage: nc-train pclossless --data TRAIN-IDX3-FILE --out MODEL.ncm [--id ID] "
           "[--states K] [--minibatch-epochs N] [--full-epochs N] [--batch N] "
           "[--pseudocount A] [--seed S]");
    return NC_EINVAL;
}

int nc_pclossless_train(int argc, char **argv)
{
    PCTrainRecipe r;
    pc_train_recipe_default(&r);
    TrainRun run = {.id = PC_DEFAULT_MODEL_ID, .recipe = &r};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return usage();
        if (!strcmp(a, "--data"))
            run.data = val;
        else if (!strcmp(a, "--out"))
            run.out = val;
        else if (!strcmp(a, "--id"))
            run.id = val;
        else if (!strcmp(a, "--states"))
            r.nstates = atoi(val);
        else if (!strcmp(a, "--minibatch-epochs"))
            r.minibatch_epochs = atoi(val);
        else if (!strcmp(a, "--full-epochs"))
            r.full_epochs = atoi(val);
        else if (!strcmp(a, "--batch"))
            r.batch = atoi(val);
        else if (!strcmp(a, "--pseudocount"))
            r.pseudocount = (float)atof(val);
        else if (!strcmp(a, "--seed"))
            r.seed = strtoull(val, NULL, 10);
        else
            return usage();
        i++;
    }
    if (!run.data || !run.out || r.nstates < 1 || r.nstates > PC_MAX_STATES || r.batch < 1 ||
        r.minibatch_epochs < 0 || r.full_epochs < 0 || !(r.pseudocount > 0))
        return usage();
    uint8_t *pixels;
    int ret = pc_read_idx_images(run.data, &pixels, &run.n, &run.w, &run.h);
    if (ret < 0) return ret;
    clock_gettime(CLOCK_MONOTONIC, &run.start);
    PCHclt m;
    ret = pc_hclt_train(&m, pixels, run.n, run.w * run.h, &r, save_epoch, &run);
    free(pixels);
    if (ret < 0) return ret;
    pc_hclt_free(&m);
    return 0;
}
