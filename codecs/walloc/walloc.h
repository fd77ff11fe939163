/* walloc: lossy images as integer latents of a learned projection of wavelet
 * packet bands (walloc_net.h), entropy coded with adaptive contexts
 * (latent_coder.h). What the encoder and the decoder share: the model, the
 * stream header and the coding of one image. Bitstream: conformance/spec/walloc.md. */
#ifndef NC_CODECS_WALLOC_H
#define NC_CODECS_WALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "codecs/walloc/walloc_net.h"
#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"
#include "libnc/model_header.h"
#include "libnc/nn/kernels.h"
#include "nc/codec.h"
#include "nc/model.h"

#define WALLOC_DEFAULT_MODEL "walloc-photo"
#define WALLOC_HEADER_MAGIC "WLC"
/* Stream header versions: images 2 (channels coded band by band in frequency order
 * with reference channels, since 2026-12-04; version 1 image streams used the
 * order before it, which this decoder no longer has), audio 1. */
#define WALLOC_HEADER_VERSION_IMAGE 2
#define WALLOC_HEADER_VERSION_AUDIO 1
#define WALLOC_HEADER_ID_PREFIX "walloc-" /* left out of model ids in the stream header */
/* magic, version, id length, id, SHA-256 */
#define WALLOC_HEADER_MAX_SIZE NCI_MODEL_HEADER_MAX_SIZE(0)
#define WALLOC_MAX_QUALITY 100
/* The audio encoder's default dead zone (walloc_audio_code): on the test photos
 * it saved 5-9% of the rate at equal PSNR before the image encoder's
 * rate-distortion quantization (codecs/walloc/README.md). */
#define WALLOC_DEFAULT_DEADZONE 0.1
/* The image encoder's defaults: no dead zone, and the rate-distortion choice of
 * each latent (WallocRdo) with this lambda, in squared steps per bit (the best of
 * those measured on the test photos, README; high-rate theory gives ln 2 / 6 =
 * 0.116 for a uniform quantizer). */
#define WALLOC_IMAGE_DEADZONE 0.0
#define WALLOC_DEFAULT_LAMBDA 0.085
/* Context priors: one table per 8 qualities (bucket quality / 8). */
#define WALLOC_PRIOR_BUCKETS 13
/* Channels an audio block codes (mono, or stereo as mid and side). */
#define WALLOC_AUDIO_CHANNELS 2
/* Images up to this many pixels (the decoder's memory bound). */
#define WALLOC_MAX_PIXELS (1 << 26)

typedef struct WallocContext {
    NCModel *model;
    WallocShape shape;
    float *enc_w;       /* [latents][bands] */
    uint16_t *prior;    /* [WALLOC_PRIOR_BUCKETS][latents][WALLOC_CONTEXTS], or NULL */
    /* The decoder network for libnc/nn's inference kernels (walloc_net.h):
     * weights [cin][cout] per tap, all in one allocation with the biases. */
    const NNKernels *kernels;
    NNWeights dec_w, post1_w[9], post2_w[9];
    const float *dec_b, *post1_b, *post2_b;
    float *net_data;
    float *act;         /* reconstruct's activations, pixel-major */
    size_t act_size;    /* floats */
    float *bands, *tmp; /* one image's (audio block's) bands and the transform's scratch */
    int32_t *q;         /* one image's (audio block's) latents */
    float *y;           /* an image's projection over the step, for the encoder's WallocRdo */
    size_t bands_size, tmp_size, q_size, y_size; /* their capacities, in elements */
} WallocContext;

/* Loads model id (searched as nc_model_find() does, or at path when it is not
 * empty), checks it against pin when pin is not NULL and that it codes audio (1)
 * or images (0), and readies the network. */
int walloc_open(WallocContext *wc, NCCodecContext *log_ctx, const char *id, const char *path,
                const NCIModelPin *pin, int audio);
/* walloc_open() for an encoder, which also sets ctx's extradata (the stream header). */
int walloc_open_encoder(WallocContext *wc, NCCodecContext *ctx, const char *id, const char *path,
                        int audio);
/* The same with a loaded model, which wc then owns (freed on failure too). */
int walloc_open_model(WallocContext *wc, const void *log_ctx, NCModel *model);
void walloc_close(WallocContext *wc);
/* The context priors for quality (NULL if the model has none). */
const uint16_t *walloc_prior(const WallocContext *wc, int quality);

size_t walloc_header_write(const WallocContext *wc, uint8_t buf[WALLOC_HEADER_MAX_SIZE]);
/* Parses a header of exactly `version` (WALLOC_HEADER_VERSION_IMAGE or _AUDIO);
 * another version is NC_ENOTSUP, logged. */
int walloc_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, int version,
                        NCIModelPin *pin);

/* Makes wc's buffers hold at least this many bands, tmp floats and latents. */
int walloc_buffers(WallocContext *wc, size_t bands, size_t tmp, size_t q);
/* The encoder's projection and quantization: bands[bands][n] -> q[latents][n]
 * (round(projection / step) with the dead zone); y holds n floats; keep (NULL, or
 * [latents][n], then used instead of y) gets projection / step. */
void walloc_project(const WallocContext *wc, const float *bands, size_t n, float step,
                    float deadzone, int32_t *q, float *y, float *keep);
/* The decoder network: q[latents][bh][bw] * step -> bands[bands][bh][bw]. */
int walloc_decode_net(WallocContext *wc, const int32_t *q, float step, int bw, int bh,
                      float *bands);

/* Channels of a pixel format walloc codes (1 gray, 3 RGB), 0 if unsupported. */
int walloc_channels(enum NCPixelFormat fmt);

/* Codes one image (channels interleaved) at quality (0..100) into enc: the
 * quality in 7 bypass bits, then the latents. deadzone (0..0.5) rounds values
 * within 0.5 + deadzone steps of zero to zero; lambda > 0 then re-chooses the
 * values of channels not coded as residuals for rate and distortion (WallocRdo;
 * wc->q holds the values coded). */
int walloc_encode_image(WallocContext *wc, RCEncoder *enc, const uint8_t *data,
                        ptrdiff_t linesize, int channels, int w, int h, int quality,
                        float deadzone, float lambda);
/* Decodes the latents of one image from dec into wc->q (bit-exact everywhere);
 * *quality gets the stream's quality. NC_EINVALIDDATA for a bad quality,
 * otherwise damage shows in rc_dec_finish(). */
int walloc_decode_latents_of_image(WallocContext *wc, RCDecoder *dec, int w, int h,
                                   int *quality);
/* Reconstructs the image from wc->q (the network, within float tolerance). */
int walloc_reconstruct(WallocContext *wc, int quality, uint8_t *data, ptrdiff_t linesize,
                       int channels, int w, int h);

/* The public part both descriptors share (walloc_enc.c, walloc_dec.c). */
#define WALLOC_CODEC                                                                        \
    .name = "walloc",                                                                       \
    .long_name = "lossy images: wavelet packets around a learned projection (WaLLoC)",      \
    .media_type = NC_MEDIA_IMAGE, .pix_fmts = walloc_pix_fmts, .model_arch = WALLOC_ARCH
extern const enum NCPixelFormat walloc_pix_fmts[];

#endif
