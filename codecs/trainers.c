/* The list nc-train dispatches to: the demo, then every codec with a trainer
 * (codec_list in codecs/meson.build, which generates trainer_list.h). */
#include <stddef.h>
#include <string.h>

#include "codecs/trainers.h"
#include "libnc/nn/train_demo.h"

#define NC_TRAINER(name) extern const NCTrainer name##_trainer;
#include "trainer_list.h"
#undef NC_TRAINER

static const NCTrainer demo_trainer = {
    "demo",
    "A causal conv net that predicts the next byte of the files in --data (shows the\n"
    "training loop works). Options: channels=16 kernel=5 batch=8 length=256 lr=3e-3.",
    nn_train_demo,
};

const NCTrainer *const trainer_table[] = {
    &demo_trainer,
#define NC_TRAINER(name) &name##_trainer,
#include "trainer_list.h"
#undef NC_TRAINER
    NULL,
};

const NCTrainer *trainer_find(const char *name)
{
    for (int i = 0; trainer_table[i]; i++)
        if (!strcmp(trainer_table[i]->name, name))
            return trainer_table[i];
    return NULL;
}
