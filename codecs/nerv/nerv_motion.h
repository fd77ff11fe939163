/* Global motion of the frames of a segment, estimated by the encoder (a camera
 * pan moves everything the same way; the latent grids then hold the scene once
 * and each frame reads it where its view lies). */
#ifndef NC_CODECS_NERV_MOTION_H
#define NC_CODECS_NERV_MOTION_H

#include <stdint.h>

#include "codecs/nerv/nerv.h"

/* The largest |offset| of a frame 0 that goes on from the segment before; the
 * encoder starts a key segment well before it binds, and a segment's spread keeps
 * every offset within the coded values' bound (2^20). */
#define NERV_MOTION_LIMIT (1 << 19)

/* For frames x (n x channels x positions samples), motion[2f], motion[2f + 1]:
 * the x and y offset (1/8 position) at which frame f shows the scene. With prev
 * (the frame before x's first, channels x positions samples, at offset start),
 * the offsets go on from start; else frame 0 is at (0, 0). The spread of the n
 * offsets stays within nerv_max_motion(). */
void nerv_estimate_motion(const NervShape *s, const float *x, int n, const float *prev,
                          const int32_t start[2], int32_t *motion);

/* Local motion (version 4): for each frame f and block of 2^block_log2 positions,
 * the vector (quarter positions, within nerv_max_local) that, on top of the
 * global motion, best maps the segment's middle frame onto the block: into v
 * (n x bh x bw x 2, NervLocal's layout; the middle frame's 0). Each block is
 * searched around its vector in the frame next to it toward the middle (the one
 * it is coded as a change from), at a cost per quarter position of offset, so
 * flat or still blocks keep none, and bit_cost per bit of the change (in mean
 * absolute luma difference over the block). *saving: by how much the vectors
 * lower that cost against none, per block and frame. */
int nerv_estimate_local(const NervShape *s, const float *x, int n, const int32_t *motion,
                        int block_log2, double bit_cost, int32_t *v, double *saving);

#endif
