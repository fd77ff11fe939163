/* Band gains (bitstream version 3): a correction of the decoder's spectral envelope,
 * measured by the encoder and sent beside the quantizer indices.
 *
 * The autoencoder, not the quantizer, caps quality (README, "Where the quality
 * goes"): from 3 to 6 kbit/s more stages buy almost nothing, because the decoder's
 * magnitudes stay wrong whatever the latents. So at the higher rates the encoder
 * also runs the decoder's network, compares the energy of each band of the frame it
 * predicts (Hann-windowed, as the input is analysed) with the input's, and sends the
 * ratio in steps of a few dB (then measures it again on the packet's overlap-added
 * output, rvq_gains_refine); the decoder adds it to the log magnitudes of every bin
 * of the band before synthesis. It is plain DSP: no training, the same for every
 * model. 20 bands, mel-spaced up to 5 kHz (where ESTOI and most of the speech
 * energy are) and two wide ones above, in steps of 2 dB (12 or 16 bands in 3 dB
 * steps scored lower for their bits, 24 or 32 in 2 dB no higher: README).
 *
 * Coding: per frame and band an index -15..15 with an adaptive CDF chosen by the
 * band and by the same band's index in the frame before (clamped to -2..2, 0 at a
 * packet's start), each started from a fixed two-sided geometric prior around that
 * value (spec: conformance/spec/rvqspeech.md). */
#ifndef NC_RVQSPEECH_GAINS_H
#define NC_RVQSPEECH_GAINS_H

#include <stdint.h>

#include "codecs/rvqspeech/phase.h"
#include "codecs/rvqspeech/spectral.h"
#include "entropy/adaptive_cdf.h"

#define NC_RVQ_GAIN_MAX 15    /* indices -15..15 */
#define NC_RVQ_GAIN_SYMS (2 * NC_RVQ_GAIN_MAX + 1)
#define NC_RVQ_GAIN_BANDS 20
#define NC_RVQ_GAIN_STEP_DB 2.0f
#define NC_RVQ_GAIN_CTX 5     /* the previous frame's index clamped to -2..2 */
#define NC_RVQ_GAIN_RATE 5    /* adaptation rate of the gain CDFs */
/* A frame's corrections, as packets carry them: its band gains, then its phase turns
 * (phase.h; zero in streams without them). */
#define NC_RVQ_SIDE (NC_RVQ_GAIN_BANDS + NC_RVQ_PHASE_GROUPS)

/* The encoder's rate bias in rounding gains (gains.c, biased_index): with gains
 * alone 0.3 took 2.5% off the bytes at 5-6 kbit/s with ESTOI unchanged (0.6: 5%,
 * ESTOI -0.001 to -0.002). With phase turns (6 kbit/s) 0.6: NC_RVQ_TURNS_MODEL
 * (model.h) leaves larger gains than the models before it, and there the rate has
 * little to spare under 6 kbit/s (README, "Trained with the corrections"). */
#define NC_RVQ_GAIN_BIAS 0.3
#define NC_RVQ_GAIN_BIAS_TURNS 0.6

/* Band j: bins [rvq_gain_edges[j], rvq_gain_edges[j + 1]). */
extern const uint16_t rvq_gain_edges[NC_RVQ_GAIN_BANDS + 1];

/* What a nominal bit rate (500..6000 bit/s) codes with: quantizer stages, whether
 * band gains and whether phase turns. want_gains, want_phase: 1 or 0 to choose, -1
 * to let the rate decide (gains from 5000 bit/s, in place of 6 stages; phase turns
 * at 6000, in place of 2 more; at least 1 stage). Phase turns need gains: asking
 * for them turns gains on unless want_gains is 0. */
void rvq_rate_plan(int bitrate, int want_gains, int want_phase, int *stages, int *gains, int *phase);

/* logmag[b] += the gain of b's band (natural log of magnitude), for every bin. */
void rvq_gains_apply(const int8_t *q, float *logmag);
/* A frame's corrections q[NC_RVQ_SIDE] on its spectrum (log magnitudes, then phases
 * NC_RVQ_BINS after). */
void rvq_corrections_apply(const int8_t *q, float *spec);

/* Encoder: the indices that bring the band energies of the frame predicted from
 * logmag and phase (spectral.h's synthesis, the decoder's frame before overlap-add)
 * to those of the input, whose analysis features (rvq_analyze) are feat, rounded
 * toward prev (the frame before's indices, zeros at a packet's start) where that
 * costs little error, by bias (NC_RVQ_GAIN_BIAS). s: scratch. */
void rvq_gains_measure(NCRvqSpectral *s, const float *feat, const float *logmag, const float *phase,
                       const int8_t *prev, double bias, int8_t *q);
/* Encoder: a frame's corrections q[NC_RVQ_SIDE] on its predicted spectrum spec (log
 * magnitudes, then phases NC_RVQ_BINS after): the band gains (rvq_gains_measure),
 * then, with them applied, the phase turns against low (the input frame's bins from
 * NC_RVQ_PHASE_FIRST_BIN, rvq_phase_measure); no turns when low is NULL (their
 * entries untouched). */
void rvq_corrections_measure(NCRvqSpectral *s, const float *feat, const NCComplex *low,
                             const float *spec, const int8_t *prev, double bias, int8_t *q);
/* Encoder, closed loop: the n frames of a packet (spec: [n][2 * NC_RVQ_BINS], log
 * magnitudes then phases, as the network predicts them; feat: [n][NC_RVQ_BINS], the
 * input's features; q: [n][NC_RVQ_SIDE], the measured corrections) are synthesized
 * with their corrections and overlap-added as the decoder does (into ola, (n + 1) *
 * NC_RVQ_HOP floats); each frame's bands in that output, analysed as the input was,
 * are compared with the input's again and its gains moved most of the way to close
 * the difference. A frame's output also holds halves of its neighbours, which the
 * frame-by-frame measure does not see. The packet's first and last frames, whose
 * neighbours are in other packets, keep their gains; so do packets of fewer than 3
 * frames (streaming). Rounded with bias as rvq_gains_measure. */
void rvq_gains_refine(NCRvqSpectral *s, const float *spec, const float *feat, int n, double bias,
                      float *ola, int8_t *q);

/* Entropy models of the gains of one packet. */
typedef struct NCRvqGainCoder {
    int on;                               /* initialized */
    RCAdaptiveCdf start[NC_RVQ_GAIN_CTX]; /* the priors, shared by every band */
    RCAdaptiveCdf cdf[NC_RVQ_GAIN_BANDS][NC_RVQ_GAIN_CTX];
    int8_t prev[NC_RVQ_GAIN_BANDS];       /* the frame before's indices */
} NCRvqGainCoder;

int rvq_gain_coder_init(NCRvqGainCoder *c);
void rvq_gain_coder_free(NCRvqGainCoder *c);
/* Back to the priors (every packet). */
void rvq_gain_coder_reset(NCRvqGainCoder *c);
void rvq_gains_encode(NCRvqGainCoder *c, RCEncoder *enc, const int8_t *q);
void rvq_gains_decode(NCRvqGainCoder *c, RCDecoder *dec, int8_t *q);

#endif
