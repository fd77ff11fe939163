/* Optimizers (SGD with momentum, Adam, AdamW), learning-rate schedules,
 * gradient clipping, parameter groups and checkpoints. */
#ifndef NC_NN_OPTIM_H
#define NC_NN_OPTIM_H

#include <stdint.h>

#include "libnc/nn/params.h"

#define NN_MAX_GROUPS 8

enum NNOptimKind { NN_SGD, NN_ADAM, NN_ADAMW };

typedef struct NNGroupConfig {
    float lr_scale;     /* multiplies the optimizer's lr; default 1 */
    float weight_decay; /* SGD/Adam: L2 added to the gradient; AdamW: decoupled */
} NNGroupConfig;

typedef struct NNOptim {
    enum NNOptimKind kind;
    float momentum;            /* SGD */
    float beta1, beta2, eps;   /* Adam(W) */
    float clip_norm;           /* > 0: clip the global gradient norm to this */
    NNGroupConfig groups[NN_MAX_GROUPS];
    int64_t step;              /* steps taken */
} NNOptim;

/* PyTorch's defaults: momentum 0, betas (0.9, 0.999), eps 1e-8, no decay (0.01 for
 * AdamW), no clipping. */
void nn_optim_init(NNOptim *o, enum NNOptimKind kind);
/* Global L2 norm of all gradients; if max_norm > 0 and the norm exceeds it, the
 * gradients are scaled down to max_norm (torch.nn.utils.clip_grad_norm_). */
float nn_clip_grad_norm(NNParams *ps, float max_norm);
/* One update with learning rate lr, then the gradients are zeroed. Returns 0, or
 * NC_ENOMEM. */
int nn_optim_step(NNOptim *o, NNParams *ps, float lr);

enum NNScheduleKind { NN_LR_CONSTANT, NN_LR_COSINE, NN_LR_STEP };

typedef struct NNSchedule {
    enum NNScheduleKind kind;
    float lr;          /* peak learning rate */
    int64_t warmup;    /* linear warm-up steps from 0 */
    int64_t total;     /* cosine: steps to decay over (down to min_lr) */
    float min_lr;
    int64_t step_size; /* step: multiply by gamma every step_size steps */
    float gamma;
} NNSchedule;

float nn_schedule_lr(const NNSchedule *s, int64_t step);

/* Checkpoints are .ncm files (id "checkpoint", architecture arch) holding the
 * parameters, the optimizer state ("opt.m.NAME", "opt.v.NAME"), the step and
 * user values (for example the data position or an RNG state). */
int nn_checkpoint_save(const char *path, const char *arch, const NNParams *ps,
                       const NNOptim *o, const uint64_t *user, int n_user);
/* Restores what save wrote into ps (same parameter names and shapes) and o; arch
 * must match. */
int nn_checkpoint_load(const char *path, const char *arch, NNParams *ps, NNOptim *o,
                       uint64_t *user, int n_user);

#endif
