/* The list nc-train dispatches to. A codec with a model adds its NCTrainer here. */
#include <stddef.h>
#include <string.h>

#include "codecs/trainers.h"
#include "codecs/lmtext/lmtext_train.h"
#include "codecs/pclossless/pclossless_train.h"
#include "codecs/rvqspeech/train.h"
#include "codecs/walloc/walloc_train.h"
#include "libnc/nn/train_demo.h"

static const NCTrainer demo_trainer = {
    "demo",
    "A causal conv net that predicts the next byte of the files in --data (shows the\n"
    "training loop works). Options: channels=16 kernel=5 batch=8 length=256 lr=3e-3.",
    nn_train_demo,
};

const NCTrainer *const trainer_table[] = {
    &demo_trainer,
    &nc_rvqspeech_trainer,
    &nc_pclossless_trainer,
    &nc_lmtext_trainer,
    &nc_walloc_trainer,
    NULL,
};

const NCTrainer *trainer_find(const char *name)
{
    for (int i = 0; trainer_table[i]; i++)
        if (!strcmp(trainer_table[i]->name, name))
            return trainer_table[i];
    return NULL;
}
