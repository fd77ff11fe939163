/* The decoder's way from tokens to samples: decoded log-mel blocks -> magnitudes of
 * FFT bins -> phase by fast Griffin-Lim (Perraudin et al. 2013), run per packet on
 * its frames with the previous packet's last frames held fixed, so phase continues
 * across packets and each packet's samples come out as soon as no later frame
 * overlaps them (SEM_DELAY samples after its last frame's end). */
#ifndef NC_CODECS_SEMANTIC_SYNTH_H
#define NC_CODECS_SEMANTIC_SYNTH_H

#include "codecs/semantic/sem_fft.h"
#include "codecs/semantic/semantic.h"

typedef struct SemSynth {
    int iters;
    SemBinMap map;
    SemFFT fft;
    float window[SEM_NFFT];
    NCComplex advance[SEM_BINS]; /* e^{i 2 pi k hop / nfft}: a bin's phase step per frame */
    int ctx;             /* frames held from the previous call (<= SEM_CONTEXT_FRAMES) */
    NCComplex *X;        /* [ctx + max_frames][SEM_BINS]: the window's spectra */
    NCComplex *Yprev;    /* [max_frames][SEM_BINS] */
    float *mag;          /* [max_frames][SEM_BINS] */
    float *base, *x, *norm; /* the span's samples: fixed frames' part, all, sum of w^2 */
    float *frame;        /* SEM_NFFT */
    NCComplex *spec;     /* SEM_BINS */
    int skip;            /* samples still to drop: those before time 0 */
} SemSynth;

int sem_synth_init(SemSynth *s, int max_frames, int iters);
void sem_synth_free(SemSynth *s);
/* Forgets the held frames (a new stream, or a seek). */
void sem_synth_reset(SemSynth *s);
/* feat [frames][SEM_MELS] (frames <= the max_frames of init) ->
 * out: the samples that became final, frames * SEM_HOP of them (the stream's first
 * SEM_DELAY are before time 0 and left out); returns their count. */
int sem_synth_frames(SemSynth *s, const float *feat, int frames, float *out);

#endif
