/* Coding one patch with an HCLT: exact conditionals P(x_v | pixels coded before)
 * by incremental marginal evaluation, fed to the range coder. */
#ifndef NC_PCLOSSLESS_PATCH_CODER_H
#define NC_PCLOSSLESS_PATCH_CODER_H

#include <stdint.h>

#include "codecs/pclossless/hclt.h"
#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

/* Precision of the per-pixel CDFs handed to the range coder. */
#define PC_CODE_PREC 24

/* Workspace for one model (one per context: not shared between threads). */
typedef struct PCPatchCoder {
    const PCCodingModel *m;
    uint32_t *down; /* [nvars][k] P(Z_v, pixels coded so far), rescaled */
    uint32_t *up;   /* [nvars][k] P(coded pixels in subtree(v) | Z_v), rescaled */
    int *stack;     /* [nvars] open nodes of the depth-first walk */
} PCPatchCoder;

int pc_patch_coder_init(PCPatchCoder *pc, const PCCodingModel *m);
/* A lower bound on what coding one pixel with m costs, in 2^-RC_INFO_FRAC_BITS bits
 * (rc_symbol_info_floor()): no leaf gives a value more than its largest frequency,
 * so no mixture of leaves does. What lets a decoder bound pixels by packet bytes. */
uint64_t pc_pixel_info_floor(const PCCodingModel *m);
void pc_patch_coder_free(PCPatchCoder *pc);

/* Codes the pixels (x, y) with x < valid_w and y < valid_h of a patch stored as
 * pix[y * patch_w + x]; the others are marginalized out (they carry no bits and
 * their values are ignored). Encoding reads pix; decoding writes the valid pixels
 * of pix. The range coder's sticky errors report failures. */
void pc_encode_patch(PCPatchCoder *pc, RCEncoder *enc, const uint8_t *pix, int valid_w,
                     int valid_h);
void pc_decode_patch(PCPatchCoder *pc, RCDecoder *dec, uint8_t *pix, int valid_w, int valid_h);

#endif
