/* Training-time bookkeeping of the residual quantizer (rvq.h): k-means
 * initialization, exponential-moving-average codebook updates and restarts of
 * dead codes, as in SoundStream / EnCodec. Not used by the codec itself. */
#ifndef NC_VQ_RVQ_TRAIN_H
#define NC_VQ_RVQ_TRAIN_H

#include <stdint.h>

#include "libnc/vq/rvq.h"

typedef struct NCRvqEma {
    float decay;         /* e.g. 0.99 */
    float dead_below;    /* a code whose EMA count falls under this is restarted */
    float *count;        /* [stages][codes] EMA of assignments */
    float *sum;          /* [stages][codes][dim] EMA of assigned vectors */
    uint64_t rng;        /* for restarts */
    int64_t restarts;    /* codes restarted so far */
} NCRvqEma;

int vq_ema_init(NCRvqEma *e, const NCRvq *q, float decay, float dead_below, uint64_t seed);
void vq_ema_free(NCRvqEma *e);
/* Seeds the EMA sums from the current codebooks with count `prior` each. */
void vq_ema_reset(NCRvqEma *e, const NCRvq *q, float prior);

/* k-means (Lloyd, iters rounds) of n vectors x [n][dim] into q's codebook s,
 * seeded with distinct vectors picked by rng. Empty clusters take a random vector.
 * Returns 0 or NC_ENOMEM. */
int vq_kmeans(NCRvq *q, int s, const float *x, int n, int iters, uint64_t *rng);
/* Initializes every stage by k-means on the residuals the previous stages leave
 * of x [n][dim]. */
int vq_kmeans_init(NCRvq *q, const float *x, int n, int iters, uint64_t seed);

/* One EMA step: assigns each of the n vectors x [n][dim] through all stages,
 * moves each code toward the mean of what it was assigned, then restarts dead
 * codes with random residuals of this batch. Returns 0 or NC_ENOMEM. */
int vq_ema_update(NCRvqEma *e, NCRvq *q, const float *x, int n);

#endif
