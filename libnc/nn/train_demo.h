/* nc-train's demo trainer: a causal conv next-byte predictor (train_demo.c). */
#ifndef NC_NN_TRAIN_DEMO_H
#define NC_NN_TRAIN_DEMO_H

#include "libnc/nn/train_job.h"

int nn_train_demo(const NCTrainJob *job);

#endif
