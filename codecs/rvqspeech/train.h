/* nc-train rvqspeech: trains the codec's network and quantizer (README.md). */
#ifndef NC_RVQSPEECH_TRAIN_H
#define NC_RVQSPEECH_TRAIN_H

#include "codecs/trainers.h"

extern const NCTrainer rvqspeech_trainer;

#endif
