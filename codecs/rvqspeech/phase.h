/* Low-band phase turns (bitstream version 4): a correction of the phase the decoder
 * predicts below 700 Hz, measured by the encoder and sent beside the band gains.
 *
 * Once band gains fix the envelope, phase is what limits ESTOI at 6 kbit/s: on the
 * bench's join, the 3 kbit/s output with band gains scored 0.908; the same with the
 * input's phase in every bin 0.963, in the bins below 625 Hz alone 0.947 (README,
 * "Phase turns"). ESTOI's lowest third-octave bands hold one or two harmonics each,
 * so how the harmonics of one frame add to those of the next decides their
 * envelope. The encoder compares each group of 4 bins (100 Hz) of the frame the
 * decoder predicts (its gains applied) with the input frame, both Hann windowed, and
 * sends the angle between them in eighths of a turn; the decoder adds it to the
 * phases of the group's bins before synthesis. 6 groups over bins 4..27 (100-700
 * Hz): 8 groups of 3 bins, 12 of 2 or sixteenths of a turn scored 0.001-0.005 higher
 * for 0.3-0.9 kbit/s more (README).
 *
 * Coding: per frame and group an index 0..7 (k eighths of a turn, k > 4 meaning
 * k - 8), one adaptive CDF per group, started uniform (the angles are close to
 * uniform; spec: conformance/spec/rvqspeech.md). */
#ifndef NC_RVQSPEECH_PHASE_H
#define NC_RVQSPEECH_PHASE_H

#include <stdint.h>

#include "codecs/rvqspeech/spectral.h"
#include "entropy/adaptive_cdf.h"

#define NC_RVQ_PHASE_GROUPS 6
#define NC_RVQ_PHASE_GROUP_BINS 4
#define NC_RVQ_PHASE_FIRST_BIN 4 /* 100 Hz */
#define NC_RVQ_PHASE_BINS (NC_RVQ_PHASE_GROUPS * NC_RVQ_PHASE_GROUP_BINS)
#define NC_RVQ_PHASE_STEPS 8 /* eighths of a turn */
#define NC_RVQ_PHASE_RATE 5  /* adaptation rate of the turn CDFs */

/* phase[b] += group's turn, for the bins of every group; q[NC_RVQ_PHASE_GROUPS]. */
void rvq_phase_apply(const int8_t *q, float *phase);

/* Encoder: the turns that bring the phase of each group of the frame predicted from
 * logmag and phase (its gains applied; spectral.h's synthesis, Hann windowed) to
 * that of the input frame's spectrum in[NC_RVQ_PHASE_BINS] (bins from
 * NC_RVQ_PHASE_FIRST_BIN, of the windowed input: rvq_analyze). s: scratch. */
void rvq_phase_measure(NCRvqSpectral *s, const NCComplex *in, const float *logmag, const float *phase,
                       int8_t *q);

/* Entropy models of the turns of one packet. */
typedef struct NCRvqPhaseCoder {
    int on;                                   /* initialized */
    RCAdaptiveCdf start;                      /* uniform */
    RCAdaptiveCdf cdf[NC_RVQ_PHASE_GROUPS];
} NCRvqPhaseCoder;

int rvq_phase_coder_init(NCRvqPhaseCoder *c);
void rvq_phase_coder_free(NCRvqPhaseCoder *c);
/* Back to the uniform start (every packet). */
void rvq_phase_coder_reset(NCRvqPhaseCoder *c);
void rvq_phase_encode(NCRvqPhaseCoder *c, RCEncoder *enc, const int8_t *q);
void rvq_phase_decode(NCRvqPhaseCoder *c, RCDecoder *dec, int8_t *q);

#endif
