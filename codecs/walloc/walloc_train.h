/* nc-train walloc: trains the WaLLoC image network (walloc_net.h). */
#ifndef NC_CODECS_WALLOC_TRAIN_H
#define NC_CODECS_WALLOC_TRAIN_H

#include "codecs/trainers.h"

extern const NCTrainer walloc_trainer;

#endif
