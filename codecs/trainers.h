/* The trainers nc-train dispatches to: one entry per codec that has a model to
 * train (plus the demo). A codec adds its entry to codecs/trainers.c. */
#ifndef NC_CODECS_TRAINERS_H
#define NC_CODECS_TRAINERS_H

#include "libnc/nn/train_job.h"

typedef struct NCTrainer {
    const char *name; /* the codec's name (or "demo") */
    const char *help; /* what it trains, its data and its -o options, for --help */
    /* Trains and writes job->out_path. 0, NC_EAGAIN when stopped early (a
     * checkpoint is on disk), or an error (logged). */
    int (*train)(const NCTrainJob *job);
} NCTrainer;

/* Every trainer, NULL-terminated. */
extern const NCTrainer *const trainer_table[];

const NCTrainer *trainer_find(const char *name);

#endif
