/* nerv's loop filter (version 5; spec §5, README "Loop filter"): after the MLP,
 * each picture plane of a frame (luma, or R, G, B; chroma at its own
 * resolution) may get a residual filter of NERV_FILTER_TAPS taps and a bias,
 * one per plane and segment:
 *   x'[y][x] = x[y][x] + (bias + sum over dy, dx of a[dy][dx] x[y + dy - r][x + dx - r])
 * the sum in raster order of the taps from the bias, reading beyond the plane's
 * edge as the edge sample. The MLP sees one position (2x2 pixels) at a time; the
 * filter gives each pixel its neighbours. The encoder solves the taps by least
 * squares against the source, the Wiener filter of what the MLP left, so it
 * costs no fitting steps. */
#ifndef NC_CODECS_NERV_FILTER_H
#define NC_CODECS_NERV_FILTER_H

#include <stddef.h>

#include "codecs/nerv/nerv.h"

/* Floats of working memory nerv_filter() and nerv_filter_stats_add() need. */
size_t nerv_filter_scratch_size(const NervShape *s);

/* Filters out (channels x positions, samples of one frame) in place with filters
 * (planes x NERV_FILTER_VALUES; a plane whose values are all 0 is left as it is);
 * the decoder's. */
void nerv_filter(const NervShape *s, const float *filters, float *out, float *scratch);
/* The encoder's adjoint: g (channels x positions), the gradient with respect to
 * the filtered samples, becomes in place the gradient with respect to the
 * samples before the filter. */
void nerv_filter_adjoint(const NervShape *s, const float *filters, float *g, float *scratch);
/* Plane q alone, with its NERV_FILTER_VALUES values f. */
void nerv_filter_plane(const NervShape *s, int q, const float *f, float *out, float *scratch);
/* The sum of squared differences of plane q between a and b (channels x positions). */
double nerv_plane_sse(const NervShape *s, int q, const float *a, const float *b);

/* The least-squares problem of each plane: sums over the samples of f f^T and
 * f t, f a sample's inputs (its NERV_FILTER_TAPS neighbours, then 1) and t the
 * source less the sample. */
typedef struct NervFilterStats {
    double ff[3][NERV_FILTER_VALUES][NERV_FILTER_VALUES];
    double ft[3][NERV_FILTER_VALUES];
} NervFilterStats;

/* Adds the samples of one frame, out (as the MLP gives them) against its source
 * x (both channels x positions). */
void nerv_filter_stats_add(const NervShape *s, const float *out, const float *x, NervFilterStats *st,
                           float *scratch);

/* Each plane's filter (planes x NERV_FILTER_VALUES) minimizing the squared error
 * of st's samples; a plane whose problem is singular gets none (zeros). */
void nerv_filter_solve(const NervShape *s, const NervFilterStats *st, float *filters);

#endif
