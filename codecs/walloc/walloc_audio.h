/* walloc audio: one packet codes one block of samples. Blocks start every
 * WALLOC_AUDIO_HOP samples and are WALLOC_AUDIO_OVERLAP samples longer, so that
 * neighbours share their last / first samples; the decoder cross-fades the two
 * reconstructions of the shared samples (sin^2 / cos^2 weights, which sum to 1)
 * so that quantization errors at block edges do not click. Each block is
 * extended symmetrically to a multiple of 2^levels and transformed on its own,
 * so a packet decodes without its neighbours (a lost packet loses its hop).
 * Stereo is coded as mid and side, (L + R) / sqrt 2 and (L - R) / sqrt 2, each
 * through the model's network; the latent coder codes them as two channels of
 * latents[rows][time]. Bitstream: conformance/spec/walloc.md (audio). */
#ifndef NC_CODECS_WALLOC_AUDIO_H
#define NC_CODECS_WALLOC_AUDIO_H

#include "codecs/walloc/walloc.h"

#define WALLOC_AUDIO_DEFAULT_MODEL "walloc-music"
#define WALLOC_AUDIO_HOP 32768
#define WALLOC_AUDIO_OVERLAP 2048
#define WALLOC_AUDIO_BLOCK (WALLOC_AUDIO_HOP + WALLOC_AUDIO_OVERLAP)

/* Transforms a block of n samples (1 <= n <= WALLOC_AUDIO_BLOCK) of channels (1, 2)
 * planes into wc->bands, for walloc_audio_code(). */
int walloc_audio_analyze(WallocContext *wc, const float *const *planes, int channels, int n);
/* Codes the analyzed block at quality: quality (7 bits), whether it is the last
 * block (1 bit) and then its length - 1 (16 bits), then the latents. */
int walloc_audio_code(WallocContext *wc, RCEncoder *enc, int channels, int n, int last,
                      int quality, float deadzone);
/* Decodes a block's header and latents into wc->q. NC_EINVALIDDATA for a bad
 * quality or length; otherwise damage shows in rc_dec_finish(). */
int walloc_audio_decode_latents(WallocContext *wc, RCDecoder *dec, int channels, int *n,
                                int *last, int *quality);
/* Reconstructs the n samples of the decoded block into out[channels] (each
 * holding n floats). */
int walloc_audio_reconstruct(WallocContext *wc, int quality, int channels, int n,
                             float *const *out);

/* The public part both audio descriptors share (walloc_audio_enc.c, _dec.c). */
#define WALLOC_AUDIO_CODEC                                                                  \
    .name = "walloc_audio",                                                                 \
    .long_name = "lossy audio: wavelet packets around a learned projection (WaLLoC)",       \
    .media_type = NC_MEDIA_AUDIO, .sample_rates = walloc_audio_sample_rates,                \
    .channel_counts = walloc_audio_channel_counts, .model_arch = WALLOC_AUDIO_ARCH
extern const int walloc_audio_sample_rates[], walloc_audio_channel_counts[];

#endif
