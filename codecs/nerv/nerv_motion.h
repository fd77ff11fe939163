/* Global motion of the frames of a segment, estimated by the encoder (a camera
 * pan moves everything the same way; the latent grids then hold the scene once
 * and each frame reads it where its view lies). */
#ifndef NC_CODECS_NERV_MOTION_H
#define NC_CODECS_NERV_MOTION_H

#include <stdint.h>

#include "codecs/nerv/nerv.h"

/* For frames x (n x channels x positions samples), motion[2f], motion[2f + 1]:
 * the x and y offset (1/8 position) at which frame f shows the scene, frame 0
 * at (0, 0); the spread stays within nerv_max_motion(). */
void nerv_estimate_motion(const NervShape *s, const float *x, int n, int32_t *motion);

#endif
