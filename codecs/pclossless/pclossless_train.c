/* nc-train pclossless: learns an HCLT from an MNIST-style idx file, or from the
 * patches of a folder of photos (PGM/PPM, pc_image_files.h), and writes the model
 * (.ncm) after every epoch, so a long run always leaves a usable model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codecs/pclossless/hclt_train.h"
#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pclossless_train.h"
#include "codecs/pclossless/pc_image_files.h"
#include "codecs/pclossless/plane_transform.h"
#include "libnc/nn/train_job.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct TrainRun {
    const NCTrainJob *job;
    char id[64];
    const char *data;
    int w, h, n, epochs;
    int transform; /* enum PCTransform */
    const PCTrainRecipe *recipe;
    struct timespec start;
    int stopped;
} TrainRun;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* After every epoch: the model so far is written (it is the checkpoint), progress
 * is reported, and a stop request ends training there. */
static int save_epoch(void *opaque, int epoch, double train_bpd, const PCHclt *m)
{
    TrainRun *run = opaque;
    char v[9][32];
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
                            "pseudocount", v[5], "seed", v[6], "train_seconds", v[7],
                            /* last: a NULL key (pixels) ends the list */
                            run->transform ? "transform" : NULL,
                            pc_transform_name(run->transform), NULL};
    int ret = pc_model_write(m, run->w, run->h, run->id, run->job->out_path, params, NULL);
    if (ret < 0) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: cannot write %s", run->job->out_path);
        return 1;
    }
    if (run->job->progress) run->job->progress(run->job->opaque, epoch + 1, run->epochs, train_bpd);
    run->stopped = (run->job->stop && *run->job->stop) ||
                   (run->job->stop_at > 0 && epoch + 1 >= run->job->stop_at);
    return run->stopped;
}

static const char *const known_options[] = {
    "states", "minibatch_epochs", "full_epochs", "batch", "pseudocount",
    "input", "patch", "block", "stride", "transform", "max_samples", NULL};

/* -o input=photos: patches of the (transformed) planes of --data's PGM/PPM files. */
static int read_photos(const NCTrainJob *job, TrainRun *run, uint8_t **pixels)
{
    int64_t patch, stride, max;
    const char *t = train_option(job, "transform");
    int ret = train_option_int(job, "patch", 8, 1, 64, &patch);
    if (ret >= 0) ret = train_option_int(job, "stride", patch, 1, 64, &stride);
    if (ret >= 0) ret = train_option_int(job, "max_samples", 100000, 1, 1 << 24, &max);
    if (ret < 0) return ret;
    if (patch * patch > PC_MAX_VARS || (run->transform = pc_transform_parse(t)) < 0) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: bad patch=%lld or transform=%s",
               (long long)patch, t ? t : "");
        return NC_EINVAL;
    }
    int images;
    run->w = run->h = (int)patch;
    run->data = job->data_dir;
    ret = pc_photo_patches(job->data_dir, run->w, run->h, (int)stride, run->transform, (int)max,
                           job->seed, pixels, &run->n, &images);
    if (ret >= 0)
        nc_log(NULL, NC_LOG_INFO, "pclossless: %d patches of %dx%d from %d photos (%s)", run->n,
               run->w, run->h, images, pc_transform_name(run->transform));
    return ret;
}

static int train(const NCTrainJob *job)
{
    PCTrainRecipe r;
    pc_train_recipe_default(&r);
    TrainRun run = {.job = job, .recipe = &r};
    int64_t states, mb, full, batch;
    double pseudo;
    int ret = train_check_options(job, known_options);
    if (ret >= 0) ret = train_option_int(job, "states", r.nstates, 1, PC_MAX_STATES, &states);
    if (ret >= 0) ret = train_option_int(job, "minibatch_epochs", r.minibatch_epochs, 0, 1000, &mb);
    if (ret >= 0) ret = train_option_int(job, "full_epochs", r.full_epochs, 0, 1000, &full);
    if (ret >= 0) ret = train_option_int(job, "batch", r.batch, 1, 1 << 20, &batch);
    if (ret >= 0) ret = train_option_float(job, "pseudocount", r.pseudocount, 1e-6, 1e3, &pseudo);
    if (ret >= 0) ret = train_model_id(job, run.id);
    if (ret < 0) return ret;
    if (job->resume_path) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: --resume is not supported; the model written "
                                   "after each epoch is the checkpoint");
        return NC_ENOTSUP;
    }
    r.nstates = (int)states;
    r.minibatch_epochs = (int)mb;
    r.full_epochs = job->steps > 0 ? (int)(job->steps > mb ? job->steps - mb : 0) : (int)full;
    r.batch = (int)batch;
    r.pseudocount = (float)pseudo;
    r.seed = job->seed;
    run.epochs = r.minibatch_epochs + r.full_epochs;

    char path[4096];
    uint8_t *pixels;
    const char *input = train_option(job, "input");
    if (input && !strcmp(input, "photos")) {
        if ((ret = read_photos(job, &run, &pixels)) < 0) return ret;
    } else if (input && !strcmp(input, "bytes")) { /* a bytes model: blocks of D x 1 */
        if (train_option(job, "transform")) {
            nc_log(NULL, NC_LOG_ERROR, "pclossless: transform= applies to images, not bytes");
            return NC_EINVAL;
        }
        run.data = job->data_dir;
        run.h = 1;
        if ((ret = pc_read_byte_blocks(job, &pixels, &run.n, &run.w)) < 0) return ret;
    } else if (input && strcmp(input, "idx")) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: input=%s: expected idx, photos or bytes", input);
        return NC_EINVAL;
    } else {
        const char *t = train_option(job, "transform");
        if ((run.transform = pc_transform_parse(t)) < 0) {
            nc_log(NULL, NC_LOG_ERROR, "pclossless: unknown transform=%s", t);
            return NC_EINVAL;
        }
        snprintf(path, sizeof(path), "%s/train-images-idx3-ubyte", job->data_dir);
        run.data = path;
        if ((ret = pc_read_idx_images(path, &pixels, &run.n, &run.w, &run.h)) < 0) return ret;
        /* each image is a gray plane of its own */
        size_t d = (size_t)run.w * (size_t)run.h;
        for (int i = 0; i < run.n && run.transform; i++)
            pc_image_to_planes(run.transform, pixels + i * d, run.w, 1, run.w, run.h, pixels + i * d);
    }
    clock_gettime(CLOCK_MONOTONIC, &run.start);
    PCHclt m;
    ret = pc_hclt_train(&m, pixels, run.n, run.w * run.h, &r, save_epoch, &run);
    free(pixels);
    if (ret < 0) return ret;
    pc_hclt_free(&m);
    return run.stopped ? NC_EAGAIN : 0;
}

const NCTrainer nc_pclossless_trainer = {
    "pclossless",
    "An HCLT probabilistic circuit over the images of --data/train-images-idx3-ubyte\n"
    "(MNIST layout; the image size is the patch size). --steps N: N epochs in all.\n"
    "Options: states=16 minibatch_epochs=3 full_epochs=10 batch=512 pseudocount=0.1.\n"
    "Photos: -o input=photos reads the .pgm/.ppm files of --data (scripts/photos-to-pnm)\n"
    "and trains on their patches: patch=8 (square side) stride=PATCH max_samples=100000\n"
    "(shuffled with --seed) transform=pixels|residual (plane_transform.h; also for idx\n"
    "input, each image a plane).\n"
    "Bytes: -o input=bytes: a bytes model from blocks of the files in --data (block=64 bytes,\n"
    "starting every stride=block bytes, at most max_samples=1048576, shuffled).",
    train,
};
