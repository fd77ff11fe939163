/* nc-train lmtext (codecs/trainers.c). */
#ifndef NC_CODECS_LMTEXT_LMTEXT_TRAIN_H
#define NC_CODECS_LMTEXT_LMTEXT_TRAIN_H

#include "codecs/trainers.h"

extern const NCTrainer lmtext_trainer;

#endif
