/* Training audio for the audio codecs' trainers (rvqspeech, walloc's audio mode,
 * semantic): every mono 16-bit WAV file in some folders, resampled to one rate,
 * held in memory, and random crops of it. */
#ifndef NC_NN_TRAIN_AUDIO_H
#define NC_NN_TRAIN_AUDIO_H

#include <stdint.h>

#include "libnc/nn/params.h"

typedef struct NNAudioSet {
    int16_t *samples;  /* all files back to back */
    int64_t total;
    int64_t *starts;   /* files + 1 offsets into samples */
    int files;
    int rate;          /* the sample rate files are converted to; 0 means 16000 */
} NNAudioSet;

/* Adds the *.wav files of dir (sorted by name; others skipped with a note).
 * Returns the number of files added or a negative NC_E* code. */
int nn_audio_add_dir(NNAudioSet *d, const char *dir);
/* nn_audio_add_dir for each folder of a ':'-separated list, into the one set (crops
 * are drawn by length over all of them). Returns the files added, or a negative
 * NC_E* code (logged) when a folder cannot be read or holds no WAV file. */
int nn_audio_add_dirs(NNAudioSet *d, const char *list);
void nn_audio_free(NNAudioSet *d);
/* len samples from a random place (files weighted by length, zero padded past a
 * file's end), scaled to a random peak level in [0.05, 0.95] (at most x20). */
void nn_audio_crop(const NNAudioSet *d, NNRng *rng, float *out, int len);

#endif
