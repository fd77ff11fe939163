/* pclossless input transforms: what a model's planes hold (spec §3.1). A model
 * declares its transform with the parameter "transform":
 *   pixels    (or absent) the planes are the image's channels, R G B or gray;
 *   residual  RGB24 is first decorrelated to G, (R - G + 128) mod 256,
 *             (B - G + 128) mod 256 (gray stays as is), then every plane is
 *             replaced by its prediction residual (x - MED(W, N, NW) + 128) mod 256
 *             in raster order.
 * Both are bijections on bytes, so coding the planes stays exact. No dependency on
 * the rest of the codec (tests link this file alone). */
#ifndef NC_PCLOSSLESS_PLANE_TRANSFORM_H
#define NC_PCLOSSLESS_PLANE_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

enum PCTransform {
    PC_TRANSFORM_PIXELS = 0,
    PC_TRANSFORM_RESIDUAL = 1,
};

/* The transform named by a model's "transform" parameter (NULL: pixels); -1 if
 * the name is unknown. */
int pc_transform_parse(const char *name);
const char *pc_transform_name(int transform);

/* Prediction of sample (x, y) of a w-wide plane p (tightly packed) from samples
 * before it in raster order: 0 at (0, 0), W on the first row, N in the first
 * column, MED(W, N, NW) elsewhere. */
int pc_med_predict(const uint8_t *p, int w, int x, int y);

/* r = (p - prediction + 128) mod 256 over a w x h plane; in place allowed (r == p). */
void pc_med_residual(const uint8_t *p, uint8_t *r, int w, int h);
/* The inverse: p from r, in raster order; in place allowed (p == r). */
void pc_med_reconstruct(const uint8_t *r, uint8_t *p, int w, int h);

/* Image (channels 1 or 3 interleaved, sample (x, y, c) at src[y * linesize + x *
 * channels + c]) -> `channels` planes of w * h bytes each, planes[c * w * h + ...],
 * under transform. */
void pc_image_to_planes(int transform, const uint8_t *src, ptrdiff_t linesize, int channels,
                        int w, int h, uint8_t *planes);
/* The inverse; planes is used as scratch (its contents are destroyed). */
void pc_planes_to_image(int transform, uint8_t *planes, int channels, int w, int h,
                        uint8_t *dst, ptrdiff_t linesize);

#endif
