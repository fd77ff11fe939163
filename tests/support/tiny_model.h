/* Small randomly initialized rvqspeech and semantic models written to a temporary
 * file, so the codec tests do not depend on the shipped (trained) models. */
#ifndef NC_TESTS_RVQSPEECH_TINY_MODEL_H
#define NC_TESTS_RVQSPEECH_TINY_MODEL_H

#include <stdint.h>

/* Writes model id "rvqspeech-tiny" (channels 16, latent 8, 12 stages) to path.
 * Its priors favour low indices and repeats, as a trained model's would. */
int rvq_test_write_tiny_model(const char *path, uint64_t seed);
/* The same with another id, network width and latent size (the trainer's tests
 * start from one of its shape: latent 64). */
int rvq_test_write_model(const char *path, const char *id, int channels, int latent,
                         uint64_t seed);

/* Writes model id "semantic-tiny" (channels 16, 64 semantic tokens, 4 acoustic
 * stages of 32) with random weights and codebooks and CDFs favouring low symbols. */
int sem_test_write_tiny_model(const char *path, uint64_t seed);

/* A speech-like test signal: a few harmonics of a gliding pitch, syllable-rate
 * envelope, a little noise. */
void rvq_test_signal(float *x, int n, uint64_t seed);

#endif
