/* semantic: general audio at 0.3-1.5 kbit/s from semantic and acoustic tokens
 * (codecs/semantic/README.md; bitstream: conformance/spec/semantic.md).
 *
 *   16 kHz mono -> log-magnitude mel frames (1024-point Hann, hop 160, 80 bands)
 *   -> blocks of 4 frames (25 per second): gain (the block's mean) + shape
 *   -> semantic token: nearest of 1024 centroids of a causal conv net's features,
 *      the net trained by masked prediction (HuBERT's first iteration)
 *   -> acoustic tokens: residual VQ (up to 8 stages x 256) of the shape minus the
 *      semantic token's mean shape
 *   -> decoder: gain + mean shape + codes -> mel magnitudes -> bins -> streaming
 *      fast Griffin-Lim (phase from the previous frames) -> samples.
 *
 * Everything the decoder computes after the entropy decoder is float DSP
 * (kissfft), so its samples are exact to float rounding, not bit-exact across
 * libm versions; the tokens are exact everywhere. */
#ifndef NC_CODECS_SEMANTIC_H
#define NC_CODECS_SEMANTIC_H

#include <stdint.h>

#include "libnc/dsp/fft.h"
#include "libnc/dsp/mel.h"
#include "libnc/nn/kernels.h"
#include "libnc/vq/rvq.h"
#include "nc/model.h"

#define SEM_CODEC "semantic"
#define SEM_ARCH "semantic"
#define SEM_DEFAULT_MODEL "semantic-small"
#define SEM_RATE 16000
#define SEM_NFFT 1024
#define SEM_BINS (SEM_NFFT / 2 + 1)
#define SEM_HOP 160
#define SEM_MELS 80
#define SEM_BLOCK_FRAMES 4                            /* frames per token */
#define SEM_TOKEN_SAMPLES (SEM_HOP * SEM_BLOCK_FRAMES) /* 640: 25 tokens/s */
#define SEM_DIM (SEM_MELS * SEM_BLOCK_FRAMES)          /* a block's shape vector */
/* Frame f covers samples [(f+1) hop - nfft, (f+1) hop): causal. A sample is final
 * once no later frame covers it, SEM_DELAY samples after its frame's end. */
#define SEM_DELAY (SEM_NFFT - SEM_HOP)
#define SEM_CONTEXT_FRAMES ((SEM_NFFT - 1) / SEM_HOP) /* earlier frames a frame overlaps */
#define SEM_GAIN_STEP 0.2f                            /* gain quantizer, natural log units */
#define SEM_GAIN_LEVELS 128                           /* absolute gain index 0..127 */
#define SEM_GAIN_OFFSET 96                            /* gain = (index - offset) * step */
#define SEM_GAIN_DELTA 15                             /* deltas -15..15 between tokens */
#define SEM_MAX_STAGES 8
#define SEM_MAX_CODES 1024
#define SEM_RES_UNITS 4
#define SEM_PACKET_TOKENS 25 /* one second */
#define SEM_LOG_FLOOR 1e-5f

/* The analysis both the encoder and the trainer run. One per thread. */
typedef struct SemAnalysis {
    NCFFT *fft;
    NCMelBank *bank;
    float window[SEM_NFFT];
    float inv_width[SEM_MELS]; /* 1 / (sum of filter m's weights) */
    float frame[SEM_NFFT];
    NCComplex spec[SEM_BINS];
    float mag[SEM_BINS];
} SemAnalysis;

int sem_analysis_init(SemAnalysis *a);
void sem_analysis_free(SemAnalysis *a);
/* Mel band i's mean magnitude, as a log: feat[i] = log(band mean + floor). x holds
 * the samples of `frames` consecutive frames: frame j covers x[j hop, j hop + nfft). */
void sem_analyze(SemAnalysis *a, const float *x, int frames, float *feat);
/* A block of SEM_BLOCK_FRAMES frames' features -> gain (their mean) and shape
 * (features minus gain). */
float sem_block_split(const float *feat, float *shape);
/* The gain index the encoder codes for a block's gain g: the nearest level, and
 * after a packet's first token (prev >= 0) within SEM_GAIN_DELTA of prev (the
 * next token catches up). The trainer counts the deltas this makes. */
int sem_gain_index(float g, int prev);
/* The mel bank's interpolation back to FFT bins: w[k][0..1] weights of bands
 * band[k], band[k] + 1 (band -1: none below). */
typedef struct SemBinMap {
    int band[SEM_BINS];
    float w[SEM_BINS][2];
} SemBinMap;
int sem_bin_map(SemBinMap *m);

/* The semantic net: conv k3 (causal) 320 -> C, SEM_RES_UNITS residual units
 * (GELU, conv k3 dilation 2^i causal, GELU, conv k1) -> features [C]. */
typedef struct SemConv {
    int cin, cout, k, dilation;
    float *w;           /* [k][cin][cout] (tap k-1 is the current frame) */
    float *b;           /* [cout] */
    NNWeights taps[3];
    int back[3];
} SemConv;

enum { SEM_CONVS = 1 + 2 * SEM_RES_UNITS };

typedef struct SemModel {
    NCModel *file;
    int channels;   /* C */
    int sem_codes;  /* semantic codebook entries */
    int stages;     /* acoustic stages */
    int ac_codes;   /* entries per acoustic stage */
    const float *feat_mean, *feat_std; /* [SEM_DIM] */
    SemConv conv[SEM_CONVS];
    NCRvq sem;       /* one stage: sem_codes x C */
    const float *sem_shape; /* [sem_codes][SEM_DIM]: mean shape per token */
    NCRvq ac;        /* stages x ac_codes x SEM_DIM */
    /* entropy coding: static CDFs at 16 bits */
    uint32_t *cdf_sem;   /* [sem_codes + 1] */
    uint32_t cdf_repeat[3];
    uint32_t *cdf_ac;    /* [stages][ac_codes + 1] */
    uint32_t cdf_gain[2 * SEM_GAIN_DELTA + 2];
} SemModel;

/* Takes ownership of file (freed by sem_model_free, also on failure); NC_EMODEL
 * (logged) on any shape mismatch. */
int sem_model_open(SemModel *m, NCModel *file);
void sem_model_free(SemModel *m);
/* Name of conv i's tensors ("in", "res0.conv1", ...). */
void sem_conv_name(int i, char *buf, int size);
/* Shape of conv i for C channels. */
void sem_conv_shape(int i, int channels, int *cin, int *cout, int *k, int *dilation);

#endif
