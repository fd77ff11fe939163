/* The nerv synthesis: latent grids -> per-position inputs -> MLP -> samples, and
 * the adjoints (gradients) of each step for the encoder's fitting.
 *
 * The forward functions are the decoder: scalar float32 in a fixed order of
 * operations (no FMA contraction, no reassociation, no libm), so a decoded frame
 * is the same bits on every compiler and machine (spec, "Synthesis"). They are
 * written so that compilers vectorize across positions, which keeps each
 * output's order of operations. */
#ifndef NC_CODECS_NERV_SYNTH_H
#define NC_CODECS_NERV_SYNTH_H

#include <stddef.h>

#include "codecs/nerv/nerv.h"

/* Working memory of nerv_synth_inputs() and its adjoint for one segment layout;
 * one per thread. */
typedef struct NervScratch {
    float *grid, *tmp;            /* a level blended in time; rows interpolated */
    int *i0[2], *i1[2];           /* per axis (x, y): the two source entries */
    float *w0[2], *w1[2];         /* and their weights (dyadic fractions, exact) */
    int32_t *dx, *dy;             /* the frame's local motion per position (nerv_local_field) */
    /* per position, where a grid moved by local motion is read (warp_coords): the
     * entries x0, x1 in rows r0, r1 (offsets), weights wx1, wy1 on x1 and r1 */
    int32_t *x0, *x1, *r0, *r1;
    float *wx1, *wy1;
    float *filter; /* nerv_filter()'s */
} NervScratch;

int nerv_scratch_alloc(NervScratch *sc, const NervShape *s, const NervLayout *lay);
void nerv_scratch_free(NervScratch *sc);

/* z (levels x positions) of frame f of a segment: its latents (as floats) at
 * the positions the frame's motion puts them (global, and local where loc has
 * it; loc NULL: none). */
void nerv_synth_inputs(const NervShape *s, const NervLayout *lay, const int32_t *motion,
                       const NervLocal *loc, const float *latents, int f, float *z, NervScratch *sc);
/* The gradient that g_z (levels x positions) of frame f gives the latents, in two
 * parts, so that frames can run the first in parallel and add in a fixed order:
 * nerv_synth_inputs_adjoint() writes it as each level's grid as the frame views it
 * (one slice's size per level, level by level: nerv_view_grids_size() floats),
 * nerv_view_grids_add() adds those to the slices the frame reads. */
size_t nerv_view_grids_size(const NervShape *s, const NervLayout *lay);
void nerv_synth_inputs_adjoint(const NervShape *s, const NervLayout *lay, const int32_t *motion,
                               const NervLocal *loc, const float *g_z, int f, float *grids,
                               NervScratch *sc);
void nerv_view_grids_add(const NervShape *s, const NervLayout *lay, int f, const float *grids,
                         float *g_latents);

/* The MLP on count <= NERV_TILE positions: z rows of zstride floats; h1 and h2
 * (hidden x NERV_TILE) keep the activations for the backward pass; out rows of
 * ostride floats. */
void nerv_mlp_forward(const NervShape *s, const float *w, const float *z, size_t zstride,
                      int count, float *h1, float *h2, float *out, size_t ostride);
/* Given g_out (rows of ostride), adds the weights' gradient to g_w and writes the
 * inputs' gradient to g_z (rows of zstride). g_h (2 x hidden x NERV_TILE) is scratch. */
void nerv_mlp_backward(const NervShape *s, const float *w, const float *z, size_t zstride,
                       int count, const float *h1, const float *h2, const float *g_out,
                       size_t ostride, float *g_w, float *g_z, float *g_h);

/* A whole frame: out (channels x positions) from z (levels x positions). tile:
 * 2 x hidden x NERV_TILE floats. */
void nerv_render(const NervShape *s, const float *w, const float *z, float *out, float *tile);

/* Frame f of a segment into out (channels x positions), from its latents (as
 * floats), motion (loc: as above) and weights, through the loop filter from
 * version 5: the decoder. z: levels x positions floats; tile:
 * 2 x hidden x NERV_TILE floats. */
void nerv_synth_frame(const NervShape *s, const NervLayout *lay, const int32_t *motion,
                      const NervLocal *loc, const float *latents, const float *w, int f, float *out, float *z,
                      float *tile, NervScratch *sc);

#endif
