/* Residual vector quantizer: stage s quantizes what stages 0..s-1 left over.
 *
 * Codebooks are kept twice: row-major [stage][code][dim] for lookups and
 * transposed [stage][dim][code] for the nearest-code search, whose inner loop
 * then runs over codes (independent accumulators, vectorizable without
 * reassociating any sum). Every distance is summed over dims in the same fixed
 * order, so the chosen indices are the same at any optimization level and thread
 * count; ties go to the lowest index.
 *
 * Training bookkeeping (EMA codebook updates, k-means initialization, dead-code
 * restarts) lives in rvq_train.c. */
#ifndef NC_VQ_RVQ_H
#define NC_VQ_RVQ_H

#include <stdint.h>

typedef struct NCRvq {
    int stages; /* codebooks */
    int codes;  /* entries per codebook */
    int dim;    /* vector size */
    float *cb;  /* [stages][codes][dim] */
    float *cbt; /* [stages][dim][codes] */
    float *norm2; /* [stages][codes]: ||c||^2 */
} NCRvq;

/* Allocates zeroed codebooks. Returns 0, NC_EINVAL or NC_ENOMEM. */
int vq_init(NCRvq *q, int stages, int codes, int dim);
void vq_free(NCRvq *q);
/* Sets codebook s from data [codes][dim] (or all stages when s < 0) and
 * refreshes the search tables. */
void vq_set_codebook(NCRvq *q, int s, const float *data);
/* Refreshes the transposed copy and norms of stage s from q->cb. */
void vq_refresh(NCRvq *q, int s);

/* Index of the entry of stage s nearest to x (squared Euclidean distance);
 * dist_scratch holds q->codes floats. */
int vq_nearest(const NCRvq *q, int s, const float *x, float *dist_scratch);
/* Quantizes x with the first n stages: idx[0..n), and, when not NULL, the
 * reconstruction out (sum of the chosen entries) and the final residual res.
 * scratch holds q->codes + 2 * q->dim floats. */
void vq_encode(const NCRvq *q, const float *x, int n, int *idx, float *out, float *res,
                   float *scratch);
/* out = sum over stages 0..n-1 of entry idx[s], added in stage order. Indices
 * must be < q->codes. */
void vq_decode(const NCRvq *q, const int *idx, int n, float *out);

#endif
