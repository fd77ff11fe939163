/* The semantic codec's bitstream (conformance/spec/semantic.md): the stream header
 * and the packets of entropy-coded tokens. */
#ifndef NC_CODECS_SEMANTIC_CODING_H
#define NC_CODECS_SEMANTIC_CODING_H

#include <stddef.h>
#include <stdint.h>

#include "codecs/semantic/semantic.h"
#include "libnc/model_header.h"

#define SEM_VERSION 1
#define SEM_HEADER_FIELDS 2 /* stages, packet tokens */
#define SEM_HEADER_MAX NCI_MODEL_HEADER_MAX_SIZE(SEM_HEADER_FIELDS)
#define SEM_MAX_PACKET_TOKENS 100 /* 64,000 samples: the sample count fits 16 bits */

typedef struct SemHeader {
    int stages;        /* acoustic stages coded, 0..SEM_MAX_STAGES */
    int packet_tokens; /* tokens of a full packet, 1..SEM_MAX_PACKET_TOKENS */
    NCIModelPin pin;   /* parsed headers only */
} SemHeader;

/* One 40 ms block's tokens. */
typedef struct SemToken {
    int gain;                 /* 0..SEM_GAIN_LEVELS-1 */
    int sem;                  /* semantic token */
    int ac[SEM_MAX_STAGES];   /* acoustic tokens, the first `stages` used */
} SemToken;

size_t sem_header_write(const SemHeader *h, const NCModel *model, uint8_t *buf);
int sem_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, SemHeader *h);

/* A packet of n tokens (1..packet_tokens) that makes the decoder output nsamples
 * (0..n * SEM_TOKEN_SAMPLES); *data is malloc'd. */
int sem_packet_write(const SemModel *m, const SemHeader *h, const SemToken *tok, int n,
                     int nsamples, uint8_t **data, size_t *size);
/* The inverse; every token comes out within its alphabet. NC_EINVALIDDATA /
 * NC_ETRUNCATED for a damaged packet. */
int sem_packet_read(const SemModel *m, const SemHeader *h, const uint8_t *data, size_t size,
                    SemToken *tok, int *n, int *nsamples);

/* The decoder's side of a token: its log-mel block [SEM_BLOCK_FRAMES][SEM_MELS]. */
void sem_token_block(const SemModel *m, int stages, const SemToken *tok, float *block);

#endif
