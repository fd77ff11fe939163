/* Band gains (gains.h; spec in conformance/spec/rvqspeech.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/gains.h"
#include "entropy/cdf.h"
#include "nc/error.h"

#define PRIOR_PREC 16

/* 18 bands mel-spaced to 5 kHz (bin 200; 25 Hz per bin), then 5-6.5 and 6.5-8 kHz. */
const uint16_t rvq_gain_edges[NC_RVQ_GAIN_BANDS + 1] = {
    0, 3, 7, 12, 17, 22, 28, 35, 43, 52, 62, 73, 85, 99, 115, 133, 153, 175, 200, 260, 321};

/* From 5 kbit/s the 20 bands (about 2.7 kbit/s on the bench's speech) replace 6
 * stages: 4 stages and the bands score higher than 12 stages (README, "Band gains").
 * At 6 kbit/s the phase turns (about 0.9 kbit/s) replace 2 more: 4 stages, gains and
 * turns score higher than 6 stages and gains (README, "Phase turns"). */
void rvq_rate_plan(int bitrate, int want_gains, int want_phase, int *stages, int *gains, int *phase)
{
    *gains = want_gains >= 0 ? want_gains : bitrate >= 5000 || want_phase > 0;
    *phase = *gains && (want_phase >= 0 ? want_phase : bitrate >= 6000);
    *stages = bitrate / 500 - (*gains ? 6 : 0) - (*phase ? 2 : 0);
    if (*stages < 1)
        *stages = 1;
}

/* The encoder rounds a measured gain of x steps to floor(x) or floor(x) + 1,
 * whichever has the lower (x - k)^2 + bias * |k - c|, c being the coder's context
 * value (the band's index in the frame before, clamped to -2..2): each CDF peaks at
 * its c, so an index nearer it costs fewer bits (gains.h, NC_RVQ_GAIN_BIAS). */
/* The closed loop moves a gain by this share of the error it measures: the
 * neighbours' gains move too (0.7-1 and 2 passes measured; README, "Band gains"). */
#define REFINE_SHARE 0.85

/* The CDF a gain is coded with: the same band's index in the frame before, clamped to
 * -2..2, as 0..4. */
static int context(int prev)
{
    return (prev < -2 ? -2 : prev > 2 ? 2 : prev) + 2;
}

static int8_t biased_index(double x, int prev, double bias)
{
    const int c = context(prev) - 2;
    /* clamped first, the rounding stays in -15..15: at x = 15 the index above costs
     * both more error and more bits */
    x = x > NC_RVQ_GAIN_MAX ? NC_RVQ_GAIN_MAX : x < -NC_RVQ_GAIN_MAX ? -NC_RVQ_GAIN_MAX : x;
    const double lo = floor(x), hi = lo + 1;
    const double cost_lo = (x - lo) * (x - lo) + bias * fabs(lo - c);
    const double cost_hi = (hi - x) * (hi - x) + bias * fabs(hi - c);
    return (int8_t)((int)lo + (cost_hi < cost_lo));
}

/* Energy of band j of a frame from its analysis features (0.1 log(|X|^2 + 1e-5)). */
static double band_energy(const float *feat, int j)
{
    double e = 0;
    for (int b = rvq_gain_edges[j]; b < rvq_gain_edges[j + 1]; b++) e += exp(10.0 * feat[b]);
    return e;
}

/* ln(10) / 20: dB of magnitude to its natural log */
#define DB_TO_LN 0.115129255f

void rvq_gains_apply(const int8_t *q, float *logmag)
{
    for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++) {
        if (!q[j])
            continue;
        const float add = (float)q[j] * (NC_RVQ_GAIN_STEP_DB * DB_TO_LN);
        for (int b = rvq_gain_edges[j]; b < rvq_gain_edges[j + 1]; b++) logmag[b] += add;
    }
}

void rvq_corrections_apply(const int8_t *q, float *spec)
{
    rvq_gains_apply(q, spec);
    rvq_phase_apply(q + NC_RVQ_GAIN_BANDS, spec + NC_RVQ_BINS);
}

void rvq_gains_measure(NCRvqSpectral *s, const float *feat, const float *logmag, const float *phase,
                       const int8_t *prev, double bias, int8_t *q)
{
    rvq_synthesized_spectrum(s, logmag, phase);
    for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++) {
        double out = 0;
        for (int b = rvq_gain_edges[j]; b < rvq_gain_edges[j + 1]; b++)
            out += (double)s->spec[b].re * s->spec[b].re + (double)s->spec[b].im * s->spec[b].im + 1e-5;
        q[j] = biased_index(10.0 * log10(band_energy(feat, j) / out) / NC_RVQ_GAIN_STEP_DB, prev[j], bias);
    }
}

void rvq_corrections_measure(NCRvqSpectral *s, const float *feat, const NCComplex *low,
                             const float *spec, const int8_t *prev, double bias, int8_t *q)
{
    rvq_gains_measure(s, feat, spec, spec + NC_RVQ_BINS, prev, bias, q);
    if (!low)
        return;
    float logmag[NC_RVQ_BINS];
    memcpy(logmag, spec, sizeof(logmag));
    rvq_gains_apply(q, logmag);
    rvq_phase_measure(s, low, logmag, spec + NC_RVQ_BINS, q + NC_RVQ_GAIN_BANDS);
}

void rvq_gains_refine(NCRvqSpectral *s, const float *spec, const float *feat, int n, double bias,
                      float *ola, int8_t *q)
{
    if (n < 3)
        return;
    float corrected[2 * NC_RVQ_BINS], frame[NC_RVQ_WIN], out[NC_RVQ_BINS];
    memset(ola, 0, sizeof(float) * (size_t)(n + 1) * NC_RVQ_HOP);
    for (int f = 0; f < n; f++) {
        memcpy(corrected, spec + (size_t)f * 2 * NC_RVQ_BINS, sizeof(corrected));
        rvq_corrections_apply(q + f * NC_RVQ_SIDE, corrected);
        rvq_synthesize(s, corrected, corrected + NC_RVQ_BINS, 1, frame);
        for (int i = 0; i < NC_RVQ_WIN; i++) ola[(size_t)f * NC_RVQ_HOP + i] += frame[i];
    }
    for (int f = 1; f < n - 1; f++) {
        rvq_analyze(s, ola + (size_t)f * NC_RVQ_HOP, out);
        const float *in = feat + (size_t)f * NC_RVQ_BINS;
        int8_t *g = q + f * NC_RVQ_SIDE;
        for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++) {
            double error = 10.0 * log10(band_energy(in, j) / band_energy(out, j)) / NC_RVQ_GAIN_STEP_DB;
            g[j] = biased_index(g[j] + REFINE_SHARE * error, g[j - NC_RVQ_SIDE], bias);
        }
    }
}

/* The prior of context c (the frame before's index clamped to c - 2): weight 2^16 at
 * that index, halved per step away from it, at least 1. (1/2 coded a train-split join
 * in fewer bits than 1/3, 2/5, 5/8 or 3/4, in packets and streaming alike.) */
static void prior_weights(int c, uint64_t w[NC_RVQ_GAIN_SYMS])
{
    for (int k = 0; k < NC_RVQ_GAIN_SYMS; k++) {
        int d = abs(k - NC_RVQ_GAIN_MAX - (c - 2));
        w[k] = d < 16 ? (uint64_t)1 << (16 - d) : 1;
    }
}

int rvq_gain_coder_init(NCRvqGainCoder *c)
{
    memset(c, 0, sizeof(*c));
    c->on = 1;
    uint32_t cdf[NC_RVQ_GAIN_SYMS + 1];
    uint64_t w[NC_RVQ_GAIN_SYMS];
    int ret = 0;
    for (int k = 0; k < NC_RVQ_GAIN_CTX && ret >= 0; k++) {
        prior_weights(k, w);
        ret = rc_cdf_from_weights(cdf, w, NC_RVQ_GAIN_SYMS, PRIOR_PREC, 0);
        if (ret >= 0)
            ret = rc_adaptive_init_cdf(&c->start[k], cdf, NC_RVQ_GAIN_SYMS, PRIOR_PREC, NC_RVQ_GAIN_RATE, 1);
    }
    for (int j = 0; j < NC_RVQ_GAIN_BANDS && ret >= 0; j++)
        for (int k = 0; k < NC_RVQ_GAIN_CTX && ret >= 0; k++)
            ret = rc_adaptive_init(&c->cdf[j][k], NC_RVQ_GAIN_SYMS, NC_RVQ_GAIN_RATE);
    if (ret < 0)
        rvq_gain_coder_free(c);
    return ret;
}

void rvq_gain_coder_free(NCRvqGainCoder *c)
{
    for (int k = 0; k < NC_RVQ_GAIN_CTX; k++) rc_adaptive_free(&c->start[k]);
    for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++)
        for (int k = 0; k < NC_RVQ_GAIN_CTX; k++) rc_adaptive_free(&c->cdf[j][k]);
    memset(c, 0, sizeof(*c));
}

void rvq_gain_coder_reset(NCRvqGainCoder *c)
{
    for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++)
        for (int k = 0; k < NC_RVQ_GAIN_CTX; k++) rc_adaptive_copy(&c->cdf[j][k], &c->start[k]);
    memset(c->prev, 0, sizeof(c->prev));
}

void rvq_gains_encode(NCRvqGainCoder *c, RCEncoder *enc, const int8_t *q)
{
    for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++) {
        rc_encode_adaptive(enc, &c->cdf[j][context(c->prev[j])], (unsigned)(q[j] + NC_RVQ_GAIN_MAX));
        c->prev[j] = q[j];
    }
}

void rvq_gains_decode(NCRvqGainCoder *c, RCDecoder *dec, int8_t *q)
{
    for (int j = 0; j < NC_RVQ_GAIN_BANDS; j++) {
        q[j] = (int8_t)((int)rc_decode_adaptive(dec, &c->cdf[j][context(c->prev[j])]) - NC_RVQ_GAIN_MAX);
        c->prev[j] = q[j];
    }
}
