/* Codecs: the registry, contexts and the send/receive API.
 *
 * Encoding:
 *     const NCCodec *c = nc_codec_find_encoder_by_name("pclossless");
 *     NCCodecContext *ctx = nc_codec_alloc_context(c);
 *     ctx->width = w; ctx->height = h; ctx->pix_fmt = NC_PIX_GRAY8;
 *     nc_opt_set(ctx, "level", "3");
 *     nc_codec_open(ctx);                 // ctx->extradata is now the stream header
 *     for each frame and then once with NULL (flush):
 *         nc_send_frame(ctx, frame);      // NC_EAGAIN: receive packets first
 *         while ((r = nc_receive_packet(ctx, pkt)) == 0) write pkt;
 *         // r == NC_EAGAIN: send more input; r == NC_EOF: fully drained
 *     nc_codec_free_context(&ctx);
 *
 * Decoding is the mirror image with nc_send_packet() / nc_receive_frame(); the
 * decoder's context needs the encoder's extradata (and media parameters) before
 * nc_codec_open().
 *
 * The contract is libavcodec's: send returns NC_EAGAIN when output must be
 * received first, receive returns NC_EAGAIN when more input is needed, sending
 * NULL starts draining, after which receive returns NC_EOF once everything is
 * out, and sending anything more returns NC_EOF. nc_codec_flush() resets a
 * drained or running context for a new stream. A context is used from one thread
 * at a time; distinct contexts are independent. */
#ifndef NC_CODEC_H
#define NC_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "nc/error.h"
#include "nc/export.h"
#include "nc/frame.h"
#include "nc/log.h"
#include "nc/options.h"
#include "nc/packet.h"

enum NCCodecCapability {
    NC_CODEC_CAP_DELAY = 1,     /* holds input back: must be flushed with NULL */
    NC_CODEC_CAP_LOSSLESS = 2,  /* decodes to exactly the input */
    NC_CODEC_CAP_STREAMING = 4, /* bounded latency, frame by frame */
    NC_CODEC_CAP_THREADS = 8,   /* honours the "threads" field */
};

/* A codec, as listed by nc_codec_iterate(). Only libnc defines codecs: callers
 * read these through the pointers libnc hands out and never allocate or copy one,
 * so fields may be added at the end (sizeof is not part of the ABI). Whether it
 * encodes or decodes: nc_codec_is_encoder(). */
typedef struct NCCodec {
    const char *name;      /* short name, [a-z0-9_], at most 31 bytes */
    const char *long_name; /* one line for humans */
    enum NCMediaType media_type;
    unsigned capabilities;      /* NC_CODEC_CAP_* */
    const int *sample_rates;    /* audio: 0-terminated, NULL = any */
    const int *channel_counts;  /* audio: 0-terminated, NULL = any up to NC_MAX_CHANNELS */
    const enum NCPixelFormat *pix_fmts; /* video/image: NC_PIX_NONE-terminated */
    const NCOption *options;    /* ended by a NULL name; NULL if none */
    /* The architecture (nc_model_arch()) of the models it codes with; NULL when it
     * needs none. Tells which codec a model file is for (nc_model_list()). */
    const char *model_arch;
} NCCodec;

/* Allocated only by nc_codec_alloc_context() and freed by nc_codec_free_context():
 * fields may be added at the end (sizeof is not part of the ABI). */
typedef struct NCCodecContext {
    const NCClass *nc_class; /* for logging (nc/log.h): messages name the codec */
    const NCCodec *codec;    /* set by nc_codec_alloc_context(), never changed */
    enum NCMediaType media_type;

    int sample_rate; /* audio: set by the user (encoder, decoder) */
    int channels;
    int frame_size; /* audio: samples per frame the encoder wants, 0 = any; set by open */

    int width; /* video, image */
    int height;
    enum NCPixelFormat pix_fmt;

    NCRational time_base; /* of pts and durations; default 1/sample_rate or 1/25 */
    int threads;          /* 0 = automatic, 1 = single-threaded */

    /* The stream header. Encoders set it in open; decoders need it before open.
     * Allocated with NC_INPUT_PADDING zeroed bytes; owned and freed by the context.
     * Set it with nc_codec_set_extradata(). */
    uint8_t *extradata;
    size_t extradata_size;

    /* Polled by codecs between units of long work inside one call (a tile of a large
     * picture); when it returns non-zero the call stops with NC_EINTR, the output it
     * was making dropped, as AVIOInterruptCB stops libavformat. NULL: never stop. */
    int (*interrupt_cb)(void *opaque);
    void *interrupt_opaque;

    void *priv_data; /* the codec's private state and options: internal */
    struct NCCodecInternal *internal;

    /* The id of the model the codec codes with, set by nc_codec_open() ("" when
     * it needs none): the one named, the one chosen for model=auto, or for a
     * decoder the one the stream header names. */
    char model_id[64];
    /* Long work inside one call reports its progress here (nerv fitting a segment
     * of frames for minutes): done of total units of that work, in the codec's
     * own units, called on the caller's thread. NULL: not called. */
    void (*progress_cb)(void *opaque, int64_t done, int64_t total);
    void *progress_opaque;
} NCCodecContext;

#ifdef __cplusplus
extern "C" {
#endif

/* Iterates over the registered codecs: *it must be NULL (or 0) at first; returns
 * NULL after the last one. */
NC_API const NCCodec *nc_codec_iterate(void **it);
NC_API const NCCodec *nc_codec_find_encoder_by_name(const char *name);
NC_API const NCCodec *nc_codec_find_decoder_by_name(const char *name);
/* 1 if codec is an encoder, 0 if it is a decoder (or NULL). */
NC_API int nc_codec_is_encoder(const NCCodec *codec);

/* A context for codec with its options at their defaults; NULL on failure. */
NC_API NCCodecContext *nc_codec_alloc_context(const NCCodec *codec);
/* Copies extradata (any size up to NC_MAX_EXTRADATA) into the context. */
NC_API int nc_codec_set_extradata(NCCodecContext *ctx, const uint8_t *data, size_t size);
/* Checks the parameters and options and opens the codec. Once only. */
NC_API int nc_codec_open(NCCodecContext *ctx);
/* Closes and frees *ctx (which may be NULL) and sets *ctx to NULL. */
NC_API void nc_codec_free_context(NCCodecContext **ctx);
/* Drops buffered input and output and leaves draining mode (a new stream). */
NC_API int nc_codec_flush(NCCodecContext *ctx);

NC_API int nc_send_frame(NCCodecContext *ctx, const NCFrame *frame);
NC_API int nc_receive_packet(NCCodecContext *ctx, NCPacket *pkt);
NC_API int nc_send_packet(NCCodecContext *ctx, const NCPacket *pkt);
NC_API int nc_receive_frame(NCCodecContext *ctx, NCFrame *frame);
/* Without decoding: 0 if an open decoder finds nothing wrong with pkt by the cheap
 * checks it makes before decoding (its size against the picture the stream
 * declares, say), else the error decoding would end with (NC_ETRUNCATED,
 * NC_EINVALIDDATA), logged. Decoders without such checks return 0. Lets a tool
 * such as nc-info report a packet that cannot be intact without decoding it. */
NC_API int nc_codec_check_packet(NCCodecContext *ctx, const NCPacket *pkt);

#define NC_MAX_EXTRADATA (1 << 20)

#ifdef __cplusplus
}
#endif
#endif
