/* The detail layer (bitstream version 6): what the network leaves out, coded
 * per frame as a classic codec codes a predicted picture. Each block of 16 x 16
 * pixels takes as its prediction the network's picture, or that picture mixed
 * m/4 of the way toward the previous decoded frame moved by a vector (quarter
 * pixels, bilinear), and adds a residual in 8 x 8 integer DCT blocks (spec §7).
 * The network carries what holds across a segment; this layer carries the
 * per-frame detail it cannot afford (README, "Detail layer").
 *
 * One set of syntax functions serves the encoder (coding), its rate estimates
 * (counting bits against the contexts' current state) and the decoder, so the
 * three cannot drift apart. */
#ifndef NC_CODECS_NERV_DETAIL_H
#define NC_CODECS_NERV_DETAIL_H

#include <stdint.h>

#include "codecs/nerv/nerv.h"
#include "entropy/adaptive_cdf.h"

#define NERV_DETAIL_BLOCK_LOG2 4 /* prediction blocks of 16 x 16 pixels of plane 0 */
#define NERV_DETAIL_MODES 5      /* 0: the network's picture; m: mixed m/4 toward the moved frame */
#define NERV_DETAIL_MAX_LEVEL 32767
#define NERV_DETAIL_CLASS_CTX 10
#define NERV_DETAIL_SIG_CTX 16

typedef struct NervDetailContexts {
    RCBinContext mode_on[3], mode_hi[1], mode_lo[2];
    RCBinContext vzero[2], vsign[2], vclass[2][NERV_DETAIL_CLASS_CTX];
    RCBinContext cbf[2][2];
    RCBinContext sig[2][NERV_DETAIL_SIG_CTX], last[2][NERV_DETAIL_SIG_CTX];
    RCBinContext gt1[2][3][3], gt2[2][3], rclass[2][NERV_DETAIL_CLASS_CTX];
} NervDetailContexts;

/* A segment's detail layer, as the encoder and the decoder step through its frames. */
typedef struct NervDetail {
    int on;
    int step;                /* the residual's quantizer step, in 1/16 of a sample */
    int bw, bh;              /* blocks across and down */
    uint8_t *mode;           /* the current frame's, bw x bh */
    int32_t *vec;            /* bw x bh x 2, quarter pixels of plane 0 */
    NervDetailContexts ctx;
} NervDetail;

int nerv_detail_alloc(NervDetail *d, const NervShape *s);
void nerv_detail_free(NervDetail *d);

/* A segment's start: the layer on or off, its step, contexts reset. */
void nerv_detail_start(NervDetail *d, int on, int step);

/* The step for a rate-distortion lambda per bit on squared 8-bit sample errors. */
int nerv_detail_step_for(double lambda);

/* The segment's part of the data packet before its frames' detail (spec §2, item 7). */
void nerv_detail_write_header(const NervDetail *d, RCEncoder *enc);
/* Reads it into d (then started); NC_EINVALIDDATA on a step of 0. */
int nerv_detail_read_header(NervDetail *d, RCDecoder *dec);

/* Frame `cur` (the network's picture) becomes the decoded frame. prev: the decoded
 * frame before it, or NULL at a key segment's first frame; g: the global motion
 * from prev to cur (quarter pixels, spec §7). Returns 0 or the decoder's error. */
int nerv_detail_decode_frame(NervDetail *d, RCDecoder *dec, const NervShape *s, NCFrame *cur,
                             const NCFrame *prev, const int32_t g[2]);

/* The encoder's choice for frame cur against the source src, coded into enc; cur
 * becomes the frame the decoder will decode. lambda as for nerv_detail_step_for. */
int nerv_detail_encode_frame(NervDetail *d, RCEncoder *enc, const NervShape *s, NCFrame *cur,
                             const NCFrame *src, const NCFrame *prev, const int32_t g[2],
                             double lambda);

/* The global motion from a frame at offset `from` to one at `to` (1/8 position
 * each, as in NervSegment.motion), in quarter pixels. */
void nerv_detail_global(const int32_t from[2], const int32_t to[2], int32_t g[2]);

#endif
