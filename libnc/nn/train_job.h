/* What nc-train hands to a codec's trainer (codecs/trainers.h), and the generic
 * gradient-descent loop that trainers built on libnc/nn share: seeded batches,
 * learning-rate schedule, periodic checkpoints, resume, progress, stop on signal. */
#ifndef NC_NN_TRAIN_JOB_H
#define NC_NN_TRAIN_JOB_H

#include <stdint.h>

#include "libnc/nn/optim.h"

typedef struct NCTrainJob {
    const char *data_dir;    /* --data: training files (never the test split) */
    const char *out_path;    /* --out: the .ncm model to write */
    const char *resume_path; /* --resume: a checkpoint to continue from, or NULL */
    const char *checkpoint_path; /* where checkpoints go (default OUT.ckpt) */
    int64_t steps;           /* --steps; 0: the trainer's default */
    int64_t checkpoint_every; /* steps between checkpoints; 0: the loop's default */
    int64_t stop_at;         /* > 0: stop after this step as if interrupted */
    uint64_t seed;           /* --seed */
    const char *const *options; /* -o key=value, n_options of them */
    int n_options;
    /* Called after each step with the running loss (may be NULL). */
    void (*progress)(void *opaque, int64_t step, int64_t total, double loss);
    void *opaque;
    /* Set asynchronously (SIGINT) to ask for a checkpoint and a clean stop. */
    volatile int *stop;
} NCTrainJob;

/* The value of -o key=value, or NULL. */
const char *train_option(const NCTrainJob *job, const char *key);
/* Parsed options with a default when absent; NC_EINVAL (logged) when the value
 * does not parse or lies outside [min, max]. */
int train_option_int(const NCTrainJob *job, const char *key, int64_t def, int64_t min,
                        int64_t max, int64_t *out);
int train_option_float(const NCTrainJob *job, const char *key, double def, double min,
                          double max, double *out);
/* NC_EINVAL (logged) if an -o key is not in the NULL-terminated list known. */
int train_check_options(const NCTrainJob *job, const char *const *known);

/* One training step: build the forward pass on g (already reset, grad on) from a
 * batch drawn with rng, and return the scalar loss tensor (NULL on error). */
typedef NNTensor *(*NNStepFn)(void *ctx, NNGraph *g, int64_t step, NNRng *rng);

/* Runs steps [o->step, total) of fn with optimizer o at lr sched(step); resumes
 * from job->resume_path first when set (parameters, optimizer state and rng are
 * restored, so the run continues exactly). Checkpoints every
 * job->checkpoint_every steps (default 500), at the end and when job->stop is
 * set, or at job->stop_at. Returns 0 when all steps ran, NC_EAGAIN when stopped
 * early (a checkpoint was written), or an error. *final_loss gets the running mean
 * of the recent losses. */
int train_run(const NCTrainJob *job, const char *arch, NNParams *ps, NNOptim *o,
                 const NNSchedule *sched, int64_t total, NNStepFn fn, void *ctx,
                 double *final_loss);


/* The model id for job->out_path: its file name without ".ncm" (the model search
 * looks for <id>.ncm). NC_EINVAL (logged) if that is not a valid id. */
int train_model_id(const NCTrainJob *job, char id[64]);
/* Reads the regular files directly inside dir, sorted by name, concatenated, up
 * to max_bytes; NC_EINVAL (logged) if there are none. Free *data with free(). */
int train_read_dir(const char *dir, size_t max_bytes, uint8_t **data, size_t *size);

#endif
