/* Frame-by-frame inference of the rvqspeech network (net.h, spectral.h).
 *
 * Each conv keeps the inputs of its last (k - 1) * dilation frames, so feeding a
 * signal one frame at a time gives exactly the same numbers however the frames
 * are grouped into packets: whole-file and streaming decoding agree bit for bit
 * (on one build and CPU). The encoder's arithmetic is plain scalar C in a fixed
 * order; its indices depend on libm's logf/expf and kissfft only through the
 * features, which are the same for every build on one platform. The decoder runs
 * its convs and ELUs through libnc/nn/kernels.h (SIMD chosen at run time, weights in
 * the file's f16), so its samples differ from the scalar loops by rounding, well
 * inside the conformance tolerance. */
#ifndef NC_RVQSPEECH_STREAM_H
#define NC_RVQSPEECH_STREAM_H

#include "codecs/rvqspeech/bitstream.h" /* NC_RVQ_MAX_PACKET_FRAMES */
#include "codecs/rvqspeech/gains.h"
#include "codecs/rvqspeech/model.h"
#include "codecs/rvqspeech/spectral.h"

typedef struct NCRvqStream {
    const NCRvqModel *m;
    int side;                /* 0 encoder, 1 decoder */
    const NNKernels *kernels; /* decoder: libnc/nn/kernels.h (NULL: the scalar loops) */
    float *hist[NC_RVQ_CONVS_PER_SIDE]; /* per conv: [(k - 1) * dilation][cin] */
    float *a, *b, *c;        /* activations, max width each */
    float *scratch;          /* quantizer search */
    float *seq[3];           /* decoder: activations of up to NC_RVQ_MAX_PACKET_FRAMES frames */
    float prev[NC_RVQ_HOP];  /* encoder: the previous hop of input; decoder: OLA tail */
    float frame[NC_RVQ_WIN];
    float feat[NC_RVQ_BINS]; /* encoder: the last frame's analysis features (spectral.h) */
    NCRvqSpectral sp;
} NCRvqStream;

/* side 0: encoder, 1: decoder. */
int rvq_stream_init(NCRvqStream *st, const NCRvqModel *m, int side);
void rvq_stream_free(NCRvqStream *st);
/* Back to the start of a stream (zero history). */
void rvq_stream_reset(NCRvqStream *st);

/* Encoder: the next NC_RVQ_HOP input samples -> the latent z[latent] of the frame
 * that ends with them (and that frame's features in st->feat). */
void rvq_stream_latent(NCRvqStream *st, const float *in, float *z);
/* The same, then quantized: indices idx[0..stages). */
void rvq_stream_encode(NCRvqStream *st, const float *in, int stages, int *idx);
/* Decoder: the indices of the next frame and its corrections (NC_RVQ_SIDE: band gains
 * and phase turns; NULL: none) -> the NC_RVQ_HOP output samples it completes (delayed by one hop: see
 * spectral.h). */
void rvq_stream_decode(NCRvqStream *st, const int *idx, const int8_t *gains, int stages, float *out);
/* The same for n frames (1..NC_RVQ_MAX_PACKET_FRAMES; indices idx[f * stages + s],
 * corrections gains[f * NC_RVQ_SIDE + j]) at once: n * NC_RVQ_HOP samples. The network runs over
 * the n frames as one sequence (GEMMs instead of GEMVs); the samples are those of n
 * calls of rvq_stream_decode, bit for bit (nn_conv1d_causal_frames). */
void rvq_stream_decode_frames(NCRvqStream *st, const int *idx, const int8_t *gains, int stages, int n,
                              float *out);
/* The decoder's network alone over n frames: their spectra before synthesis (and
 * before any corrections), frame f's log magnitudes at result + f * 2 * NC_RVQ_BINS, its
 * phases NC_RVQ_BINS after. The encoder runs it (on a decoder stream whose kernels
 * it set to NULL: the scalar loops, the same numbers on every CPU) to measure the
 * band gains and phase turns; both correct the spectra in place before synthesis.
 * Valid until the next call. */
float *rvq_stream_spectra(NCRvqStream *st, const int *idx, int stages, int n);

#endif
