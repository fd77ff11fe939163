/* Low-band phase turns (phase.h; spec in conformance/spec/rvqspeech.md). */
#include <math.h>
#include <string.h>

#include "codecs/rvqspeech/phase.h"

/* 2 pi / NC_RVQ_PHASE_STEPS, folded into a float constant at compile time */
#define TURN_STEP ((float)(2 * M_PI / NC_RVQ_PHASE_STEPS))

/* Index k in 0..7 -> eighths of a turn in -3..4 (angles in (-pi, pi]). */
static int signed_turn(int k)
{
    return k > NC_RVQ_PHASE_STEPS / 2 ? k - NC_RVQ_PHASE_STEPS : k;
}

void rvq_phase_apply(const int8_t *q, float *phase)
{
    for (int g = 0; g < NC_RVQ_PHASE_GROUPS; g++) {
        if (!q[g])
            continue;
        const float add = (float)signed_turn(q[g]) * TURN_STEP;
        const int b0 = NC_RVQ_PHASE_FIRST_BIN + g * NC_RVQ_PHASE_GROUP_BINS;
        for (int b = b0; b < b0 + NC_RVQ_PHASE_GROUP_BINS; b++) phase[b] += add;
    }
}

void rvq_phase_measure(NCRvqSpectral *s, const NCComplex *in, const float *logmag, const float *phase,
                       int8_t *q)
{
    rvq_synthesized_spectrum(s, logmag, phase);
    for (int g = 0; g < NC_RVQ_PHASE_GROUPS; g++) {
        double re = 0, im = 0; /* sum of in * conj(predicted) over the group */
        for (int i = g * NC_RVQ_PHASE_GROUP_BINS; i < (g + 1) * NC_RVQ_PHASE_GROUP_BINS; i++) {
            const NCComplex a = in[i], b = s->spec[NC_RVQ_PHASE_FIRST_BIN + i];
            re += (double)a.re * b.re + (double)a.im * b.im;
            im += (double)a.im * b.re - (double)a.re * b.im;
        }
        long k = lround(atan2(im, re) * (NC_RVQ_PHASE_STEPS / (2 * M_PI)));
        q[g] = (int8_t)((k % NC_RVQ_PHASE_STEPS + NC_RVQ_PHASE_STEPS) % NC_RVQ_PHASE_STEPS);
    }
}

int rvq_phase_coder_init(NCRvqPhaseCoder *c)
{
    memset(c, 0, sizeof(*c));
    c->on = 1;
    int ret = rc_adaptive_init(&c->start, NC_RVQ_PHASE_STEPS, NC_RVQ_PHASE_RATE);
    for (int g = 0; g < NC_RVQ_PHASE_GROUPS && ret >= 0; g++)
        ret = rc_adaptive_init(&c->cdf[g], NC_RVQ_PHASE_STEPS, NC_RVQ_PHASE_RATE);
    if (ret < 0)
        rvq_phase_coder_free(c);
    return ret;
}

void rvq_phase_coder_free(NCRvqPhaseCoder *c)
{
    rc_adaptive_free(&c->start);
    for (int g = 0; g < NC_RVQ_PHASE_GROUPS; g++) rc_adaptive_free(&c->cdf[g]);
    memset(c, 0, sizeof(*c));
}

void rvq_phase_coder_reset(NCRvqPhaseCoder *c)
{
    for (int g = 0; g < NC_RVQ_PHASE_GROUPS; g++) rc_adaptive_copy(&c->cdf[g], &c->start);
}

void rvq_phase_encode(NCRvqPhaseCoder *c, RCEncoder *enc, const int8_t *q)
{
    for (int g = 0; g < NC_RVQ_PHASE_GROUPS; g++) rc_encode_adaptive(enc, &c->cdf[g], (unsigned)q[g]);
}

void rvq_phase_decode(NCRvqPhaseCoder *c, RCDecoder *dec, int8_t *q)
{
    for (int g = 0; g < NC_RVQ_PHASE_GROUPS; g++) q[g] = (int8_t)rc_decode_adaptive(dec, &c->cdf[g]);
}
