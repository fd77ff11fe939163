/* The WaLLoC image network: what the encoder and the decoder compute around the
 * entropy coder, and the pixel <-> wavelet band conversion both sides share.
 *
 *   image (RGB, x / 255 - 0.5; gray is coded as R = G = B)
 *     -> symmetric extension to a multiple of 2^levels
 *     -> 2-D CDF 9/7 wavelet packet transform per channel: bands [3 * 4^levels][h][w]
 *     -> encoder: a learned linear projection (1x1) to `latents` channels, / step,
 *        rounding: the integer latents the stream carries
 *     -> decoder: latents * step -> learned inverse projection (1x1) to the bands,
 *        plus a small conv post-network (3x3, GELU, 3x3) as a residual
 *     -> inverse packet transform, crop, round to 8 bits.
 *
 * Audio ("walloc-audio" models) runs the same network on one audio channel at a
 * time: the 1-D packet transform gives bands [2^levels][1][n / 2^levels] (a grid of
 * one row, so the 3x3 convolutions act as 1-D convolutions of width 3 along time).
 *
 * The trainer (walloc_train.c) and the codec build the same tensors from here. */
#ifndef NC_CODECS_WALLOC_NET_H
#define NC_CODECS_WALLOC_NET_H

#include <stddef.h>
#include <stdint.h>

#include "libnc/nn/tensor.h"
#include "nc/model.h"

#define WALLOC_ARCH "walloc-image"
#define WALLOC_AUDIO_ARCH "walloc-audio"
#define WALLOC_MAX_LEVELS 4        /* images */
#define WALLOC_MAX_AUDIO_LEVELS 10 /* audio */
#define WALLOC_MAX_LATENTS 1024
#define WALLOC_MAX_HIDDEN 256

typedef struct WallocShape {
    int audio;   /* 0: an image model, 1: an audio model (one channel) */
    int levels;  /* wavelet packet levels J */
    int bands;   /* 3 * 4^J (images), 2^J (audio) */
    int latents; /* latent channels */
    int hidden;  /* post-network channels */
} WallocShape;

/* The named tensors of a model (NULL where a trainer has not made them yet). */
typedef struct WallocNet {
    WallocShape shape;
    NNTensor *enc_w;   /* [latents, bands, 1, 1] */
    NNTensor *dec_w;   /* [bands, latents, 1, 1] */
    NNTensor *dec_b;   /* [bands] */
    NNTensor *post1_w; /* [hidden, latents, 3, 3] */
    NNTensor *post1_b; /* [hidden] */
    NNTensor *post2_w; /* [bands, hidden, 3, 3] */
    NNTensor *post2_b; /* [bands] */
} WallocNet;

enum { WALLOC_TENSORS = 7 };

/* Name and shape of tensor i (< WALLOC_TENSORS) of a network of shape sh, and the
 * slot in net that holds it. */
NNTensor **walloc_net_tensor(WallocNet *net, int i, const char **name, int *ndim, int shape[4]);

/* 0 if levels, latents and hidden are within the limits; fills bands. */
int walloc_shape_init(WallocShape *sh, int audio, int levels, int latents, int hidden);

/* Quantization step of a quality (0..100): 2 * 2^(-quality / 16) (2 .. 0.026). The decoder
 * computes it in float for reconstruction only; the entropy coder never sees it. */
float walloc_step(int quality);
/* Audio's steps: walloc_step / 8 (samples are in [-1, 1]; 0.25 .. 0.0033). */
float walloc_audio_step(int quality);
/* The step of a model's media. */
float walloc_shape_step(const WallocShape *sh, int quality);

/* Size of the band planes for a w x h image: w, h rounded up to 2^levels, / 2^levels. */
void walloc_band_size(int levels, int w, int h, int *bw, int *bh);

/* Pixels (channels 1 or 3 interleaved, sample (x, y, c) at
 * data[y * linesize + x * channels + c]) -> bands[3 * 4^levels][bh][bw].
 * tmp holds (bw << levels) * (bh << levels) floats. */
void walloc_image_to_bands(const uint8_t *data, ptrdiff_t linesize, int channels, int w, int h,
                           int levels, float *bands, float *tmp);
/* The inverse: bands (overwritten) -> pixels, rounded and clamped; gray takes the
 * mean of the three reconstructed channels. */
void walloc_bands_to_image(float *bands, int levels, int w, int h, uint8_t *data,
                           ptrdiff_t linesize, int channels, float *tmp);

/* One audio channel: x[0..n) (n >= 1) extended symmetrically to len (a multiple of
 * 2^levels, len >= n) -> bands[2^levels][len >> levels] (natural packet order).
 * bands holds len floats, tmp len floats. */
void walloc_audio_to_bands(const float *x, int n, int len, int levels, float *bands, float *tmp);

#endif
