/* Training audio for rvqspeech (and walloc's audio mode): every mono 16-bit WAV
 * file of one sample rate in some folders, held in memory, and random crops of it. */
#ifndef NC_RVQSPEECH_TRAIN_DATA_H
#define NC_RVQSPEECH_TRAIN_DATA_H

#include <stdint.h>

#include "libnc/nn/params.h"

typedef struct NCRvqData {
    int16_t *samples;  /* all files back to back */
    int64_t total;
    int64_t *starts;   /* files + 1 offsets into samples */
    int files;
    int rate;          /* the sample rate files must have; 0 means 16000 */
} NCRvqData;

/* Adds the *.wav files of dir (sorted by name; others skipped with a note).
 * Returns the number of files added or a negative NC_E* code. */
int rvq_data_add_dir(NCRvqData *d, const char *dir);
void rvq_data_free(NCRvqData *d);
/* len samples from a random place (files weighted by length, zero padded past a
 * file's end), scaled to a random peak level in [0.05, 0.95] (at most x20). */
void rvq_data_crop(const NCRvqData *d, NNRng *rng, float *out, int len);

#endif
