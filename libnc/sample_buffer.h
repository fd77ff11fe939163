/* A growing buffer of mono float samples for encoders that work on blocks (rvqspeech,
 * semantic): input frames are appended, whole blocks consumed from the front. */
#ifndef NC_LIBNC_SAMPLE_BUFFER_H
#define NC_LIBNC_SAMPLE_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "nc/codec.h"

typedef struct NCISamples {
    float *data;
    size_t len, cap;
} NCISamples;

/* Appends n samples (zeros when x is NULL). 0 or NC_ENOMEM. */
int nci_samples_append(NCISamples *b, const float *x, size_t n);
/* Appends zeros until b holds len samples (nothing if it holds as many). 0 or
 * NC_ENOMEM. What a block encoder does at the end of its input. */
int nci_samples_pad_to(NCISamples *b, size_t len);
/* Drops the first n samples (n <= len). */
void nci_samples_consume(NCISamples *b, size_t n);
void nci_samples_free(NCISamples *b);
/* Moves the encoder's pending input frame (mono audio) into b: 0 (appended, and
 * *count grows by its samples), NC_EAGAIN (none pending), NC_EOF (flushed and all
 * consumed) or an error. */
int nci_codec_pull_samples(NCCodecContext *ctx, NCISamples *b, int64_t *count);

#endif
