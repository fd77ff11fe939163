/* nerv: video coded as a small network fitted to each segment of frames
 * (README.md, conformance/spec/nerv.md).
 *
 * A frame is seen on a grid of "positions", one per 2x2 block of pixels; each
 * position carries `channels` samples (4 luma + U + V for YUV420P, 4 x RGB for
 * RGB24, 4 for GRAY8). A segment of frames is represented by `levels` latent
 * grids (grid l: the position grid / 2^scale_log2[l] in space, one time slice
 * per 2^stride_log2[l] frames; several grids may share a scale) and one small
 * MLP per segment:
 *   z    = the latent grids interpolated (linear in time, bilinear in space) to
 *          a position of a frame: `levels` values
 *   out  = W3 relu(W2 relu(W1 z + b1) + b2) + b3: `channels` samples in [0, 1];
 *   then (version 5) each picture plane through a 5x5 loop filter, its taps
 *   solved per segment by least squares (nerv_filter.h), and (version 6) the
 *   picture, as 8-bit samples, through the detail layer: per block predicted
 *   from it and the frame before, plus a DCT residual (nerv_detail.h).
 * The decoder is this function; the encoder fits latents and weights to the
 * frames (nerv_fit.h), quantizes them and codes them (nerv_coding.h). */
#ifndef NC_CODECS_NERV_H
#define NC_CODECS_NERV_H

#include <stddef.h>
#include <stdint.h>

#include "nc/frame.h"

#define NERV_VERSION 7          /* written; 1 (no predicted segments), 2 (no latent means), 3 (no local motion), 4 (no loop filter), 5 (no detail layer) and 6 (bilinear reads of the frame before) are still read */
#define NERV_HEADER_SIZE 28
#define NERV_MAX_LEVELS 16      /* latent grids */
#define NERV_MAX_SCALE_LOG2 7
#define NERV_MAX_HIDDEN 64
#define NERV_MAX_CHANNELS 12
#define NERV_MAX_SEGMENT 250
#define NERV_MAX_STRIDE_LOG2 7
#define NERV_MAX_DIM 4096      /* width and height */
#define NERV_MAX_LATENTS (1 << 25) /* per segment: bounds the decoder's memory */
#define NERV_MLP_TENSORS 6     /* W1, b1, W2, b2, W3, b3 */
#define NERV_MAX_TENSORS 9     /* and from version 5 one loop filter per picture plane */
#define NERV_FILTER_RADIUS 2   /* the loop filter is (2 r + 1)^2 taps per plane */
#define NERV_FILTER_TAPS ((2 * NERV_FILTER_RADIUS + 1) * (2 * NERV_FILTER_RADIUS + 1))
#define NERV_FILTER_VALUES (NERV_FILTER_TAPS + 1) /* a plane's filter: its taps, then its bias */
#define NERV_TILE 256          /* positions run through the MLP at once */
#define NERV_CONTINUATION_SIZE 1 /* a packet of one zero byte: the segment's next frame */

typedef struct NervShape {
    int version;           /* of the stream: 2 may hold predicted segments, 3 latent means */
    int width, height;
    enum NCPixelFormat pix_fmt;
    int channels;          /* samples per position */
    int pw, ph, positions; /* the position grid: ceil(width / 2) x ceil(height / 2) */
    int levels, hidden, segment;
    int scale_log2[NERV_MAX_LEVELS];  /* grid l: the position grid / 2^scale_log2[l] */
    int stride_log2[NERV_MAX_LEVELS]; /* one time slice per 2^stride_log2[l] frames */
} NervShape;

/* A segment's latent grids. Frame f shows the scene shifted by motion[f] (x, y in
 * 1/8 of a position): its position p samples the scene at p + motion[f] / 8. The
 * level-0 grid covers the scene the frames see, from (ox, oy) on, gw x gh
 * positions; level l is that grid / 2^l (rounded up), with `times[l]` slices. */
typedef struct NervLayout {
    int n;                   /* frames */
    int ox, oy, gw, gh;      /* the level-0 grid */
    int lw[NERV_MAX_LEVELS], lh[NERV_MAX_LEVELS], times[NERV_MAX_LEVELS];
    size_t offset[NERV_MAX_LEVELS + 1]; /* of each level's latents; [levels] = all */
} NervLayout;

/* A segment's local motion (version 4): on top of each frame's global motion, a
 * vector per block of 2^block_log2 x 2^block_log2 positions and frame (x, y in
 * quarters of a position; the segment's middle frame, n / 2, has none), spread
 * over the positions bilinearly between the block centres (nerv_local_field).
 * Only the grids in `warped` are sampled through it. */
#define NERV_MIN_BLOCK_LOG2 3
#define NERV_MAX_BLOCK_LOG2 6
typedef struct NervLocal {
    int block_log2;       /* 0: no local motion */
    unsigned warped;      /* bit l: grid l */
    int bw, bh;           /* blocks across and down: ceil(pw / 2^block_log2), ... */
    int32_t *v;           /* n x bh x bw x 2 */
    const int32_t *field; /* NULL, or every frame's field precomputed (n x 2 x positions,
                           * dx then dy; nerv_local_field): the encoder's fit reads each
                           * frame's many times, the decoder once */
} NervLocal;

/* floor(num / den) for den > 0 (C's division truncates toward zero). */
static inline int64_t nerv_floor_div(int64_t num, int64_t den)
{
    return num >= 0 ? num / den : -((-num + den - 1) / den);
}

/* floor(num / 2^sh): nerv_floor_div by a power of two, without a division. */
static inline int64_t nerv_floor_shift(int64_t num, int sh)
{
    return num >= 0 ? num >> sh : -((-num + ((int64_t)1 << sh) - 1) >> sh);
}

/* The weights in one array, tensor by tensor (nerv_tensor_offset), in the order
 * W1 (hidden x levels), b1, W2 (hidden x hidden), b2, W3 (channels x hidden), b3,
 * then from version 5 each picture plane's loop filter (NERV_FILTER_VALUES each;
 * a tensor whose step exponent is 0 is absent: zeros, not coded). */
int nerv_tensor_count(const NervShape *s);
size_t nerv_tensor_size(const NervShape *s, int tensor);
size_t nerv_tensor_offset(const NervShape *s, int tensor);
size_t nerv_param_count(const NervShape *s);

/* Picture planes: 1 for GRAY8 (luma), 3 for YUV420P and RGB24. */
static inline int nerv_planes(const NervShape *s) { return s->pix_fmt == NC_PIX_GRAY8 ? 1 : 3; }

/* Fills the derived fields (version: NERV_VERSION when 0) from width, height, pix_fmt, levels, hidden, segment,
 * scale_log2 and stride_log2; NC_EINVAL (logged with log_ctx) when any is out of range. */
int nerv_shape_init(NervShape *s, void *log_ctx);

/* The largest |motion| component: a frame may look up to one frame size away. */
int nerv_max_motion(const NervShape *s, int axis);

/* The layout of a segment of n frames with motion (2 x n values, x then y per
 * frame, each within nerv_max_motion). Latents are stored level by level, time
 * slice by time slice, in raster order. */
void nerv_layout_init(NervLayout *lay, const NervShape *s, int n, const int32_t *motion);

/* The largest |local vector| component (quarter positions): a frame's size. */
static inline int32_t nerv_max_local(const NervShape *s, int axis) { return 4 * (axis ? s->ph : s->pw); }

/* Sets loc's block_log2, bw and bh (not v or warped). */
void nerv_local_init(NervLocal *loc, const NervShape *s, int block_log2);
/* Frame f's local offsets (1/8 position) at every position: dx, dy (positions each). */
void nerv_local_field(const NervShape *s, const NervLocal *loc, int f, int32_t *dx, int32_t *dy);

/* The stream header (extradata): NERV_HEADER_SIZE bytes (spec, "Stream header"). */
void nerv_header_write(const NervShape *s, uint8_t *out);
int nerv_header_parse(NervShape *s, const uint8_t *data, size_t size, void *log_ctx);

/* Frame <-> samples per position, planar (channel c at x[c * positions + p]), in
 * [0, 1]; outside an odd-sized frame the edge sample is repeated. */
void nerv_frame_to_samples(const NervShape *s, const NCFrame *frame, float *x);
void nerv_samples_to_frame(const NervShape *s, const float *x, NCFrame *frame);

#endif
