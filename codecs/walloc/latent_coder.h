/* Entropy coding of WaLLoC's integer latents: channel after channel, each in
 * raster order, with adaptive binary contexts (entropy/adaptive_cdf.h) chosen by
 * already coded neighbours: the four causal ones in the same channel and five
 * around the same place in earlier (complete) channels: the previous channel, or
 * for image models whose latents are the colour-transformed packet bands
 * (latents = 3 * 4^levels), channels coded in frequency order and referring to
 * the bands next lower in frequency and to the same band of the colour
 * components already coded (walloc_layout()). A channel whose
 * values are smooth (a low-pass band) is coded as residuals from the LOCO-I
 * median predictor, chosen per channel by the encoder (one flag bit).
 *
 * Per value q: "q != 0" (context: channel, spatial activity, cross-channel
 * activity); then the sign (bypass); then |q| as an adaptive Exp-Golomb code:
 * n = floor(log2 |q|) in unary (one context per channel, activity and position
 * in the prefix), the bit below the leading one (context: channel, n), and the
 * n - 1 bits after it in bypass. Everything that selects a context is integer, so
 * decoded latents are the same bits on every platform. The bitstream is in
 * conformance/spec/walloc.md. */
#ifndef NC_CODECS_WALLOC_LATENT_CODER_H
#define NC_CODECS_WALLOC_LATENT_CODER_H

#include <stdint.h>

#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

/* |q| < 2^WALLOC_MAG_BITS; the encoder clamps, the decoder rejects longer prefixes. */
#define WALLOC_MAG_BITS 20
#define WALLOC_MAX_MAG ((1 << WALLOC_MAG_BITS) - 1)

/* Binary contexts per channel: zero flags (18), prefix bits (72), top bits (20). */
#define WALLOC_CONTEXTS 110
/* The adaptation count a context starts with when it has a prior: it adapts at
 * rate 5 at first (about the last 32 bits), slowing to rate 8. */
#define WALLOC_PRIOR_COUNT 16

/* Earlier channels whose magnitudes pick a channel's cross-channel context. */
#define WALLOC_REFS 4

/* The order channels are coded in and each one's reference channels (-1: none).
 * levels > 0 and latents == 3 * 4^levels: channel c = k * 4^levels + by * 2^levels
 * + bx is band (by, bx) (natural packet order) of colour component k (luma, then the
 * two opponent axes, as the orthonormal start makes them); the components are
 * coded one after the other, each band by band in raster order of frequency, and
 * refer to the band one lower in horizontal and in vertical frequency of the same
 * component and to the same band of the components before. Otherwise (audio:
 * levels = 0) channels are coded in index order and refer to the previous one. */
void walloc_layout(int latents, int levels, int *order, int (*refs)[WALLOC_REFS]);

/* Encoder-side rate-distortion optimized quantization: where y is not NULL, each
 * value of a channel not coded as residuals is re-chosen, as it is coded, between
 * floor(|y|) and floor(|y|) + 1 (sign of y) for the least (|y| - a)^2 + lambda *
 * bits under the contexts' current probabilities. y: the projection over the step,
 * [latents][h][w]. The decoder does not need it. */
typedef struct WallocRdo {
    const float *y;
    float lambda; /* in squared steps per bit */
} WallocRdo;

/* Codes q[latents][h][w] (values within +-WALLOC_MAX_MAG). prior: NULL (every
 * context starts at P(0) = 1/2), or the starting P(bit = 0) * 2^16 (1..65535) of
 * context k of channel c at prior[c * WALLOC_CONTEXTS + k]. levels: walloc_layout().
 * rdo: NULL, or the quantization choice above, which rewrites q with the values
 * coded. NC_ENOMEM or 0. */
int walloc_encode_latents(RCEncoder *enc, int32_t *q, int latents, int w, int h,
                          const uint16_t *prior, int levels, const WallocRdo *rdo);
/* Decodes them into q; a damaged stream sets the decoder's error (check it with
 * rc_dec_finish()) and still fills q with values in range. NC_ENOMEM or 0. */
int walloc_decode_latents(RCDecoder *dec, int32_t *q, int latents, int w, int h,
                          const uint16_t *prior, int levels);
/* Adds the decisions coding q would make to counts[(c * WALLOC_CONTEXTS + k) * 2
 * + bit] (for training priors). NC_ENOMEM or 0. */
int walloc_count_latents(const int32_t *q, int latents, int w, int h, uint32_t *counts,
                         int levels);

#endif
