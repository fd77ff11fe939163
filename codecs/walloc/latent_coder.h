/* Entropy coding of WaLLoC's integer latents: channel after channel, each in
 * raster order, with adaptive binary contexts (entropy/adaptive_cdf.h) chosen by
 * already coded neighbours: the four causal ones in the same channel and five
 * around the same place in the previous (complete) channel. A channel whose
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

/* Codes q[latents][h][w] (values within +-WALLOC_MAX_MAG). prior: NULL (every
 * context starts at P(0) = 1/2), or the starting P(bit = 0) * 2^16 (1..65535) of
 * context k of channel c at prior[c * WALLOC_CONTEXTS + k]. NC_ENOMEM or 0. */
int walloc_encode_latents(RCEncoder *enc, const int32_t *q, int latents, int w, int h,
                          const uint16_t *prior);
/* Decodes them into q; a damaged stream sets the decoder's error (check it with
 * rc_dec_finish()) and still fills q with values in range. NC_ENOMEM or 0. */
int walloc_decode_latents(RCDecoder *dec, int32_t *q, int latents, int w, int h,
                          const uint16_t *prior);
/* Adds the decisions coding q would make to counts[(c * WALLOC_CONTEXTS + k) * 2
 * + bit] (for training priors). NC_ENOMEM or 0. */
int walloc_count_latents(const int32_t *q, int latents, int w, int h, uint32_t *counts);

#endif
