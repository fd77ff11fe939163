/* What a codec module implements, and the helpers it calls. Internal to libnc;
 * docs/adding-a-codec.md walks through a whole codec (codecs/template/).
 *
 * The framework (codec.c) owns the send/receive state machine: it validates
 * arguments and state (media parameters against the descriptor's lists, for
 * encoders and decoders), keeps at most one pending input (frame or packet), and
 * tracks draining. A codec produces its output in one of two shapes per
 * direction:
 *   one packet per frame: encode(ctx, frame, pkt) codes one frame into pkt; the
 *     framework pulls the frame, stamps the packet with the frame's pts and
 *     duration and the key flag, and unrefs the frame;
 *   one frame per packet: decode(ctx, pkt, frame) decodes one packet into frame,
 *     or returns NC_EAGAIN when this packet yields no frame; the framework pulls
 *     packets, stamps the frame's pts (when decode left it NC_NOPTS_VALUE) and
 *     duration (when decode left it 0) from the packet, and unrefs the packet;
 * or, for anything else (buffering, several packets per frame), the general form:
 *   encoders: receive_packet(ctx, pkt) pulls input with nci_codec_get_frame();
 *   decoders: receive_frame(ctx, frame) pulls input with nci_codec_get_packet().
 * The pull returns NC_EAGAIN when no input is pending and NC_EOF once the user
 * has flushed and all input is consumed; the callback passes NC_EAGAIN on, and
 * returns NC_EOF when it has nothing left to emit after draining. */
#ifndef NC_CODEC_INTERNAL_H
#define NC_CODEC_INTERNAL_H

#include <stddef.h>
#include "nc/codec.h"
#include "nc/error.h"
#include "nc/log.h"

/* A codec as libnc defines it: the public NCCodec first (what nc_codec_iterate()
 * hands out points at it), then what only the framework reads. Descriptors are
 * written with designated initializers:
 *     const NCCodecDef template_encoder = {
 *         .p = {.name = "template", .long_name = "...", .media_type = NC_MEDIA_BYTES},
 *         .is_encoder = 1, .priv_size = sizeof(TemplateEncoder),
 *         .init = ..., .close = ..., .encode = ...,
 *     };
 * and listed by name in codecs/meson.build (the registry is generated from it). */
typedef struct NCCodecDef {
    NCCodec p;
    int is_encoder;   /* 1 encoder, 0 decoder */
    size_t priv_size; /* bytes of ctx->priv_data, zeroed, options stored at their offsets */
    /* After parameters and options are set and checked against p's lists: check
     * the rest (NC_EINVAL / NC_ENOTSUP with a logged reason), load models, set
     * ctx->extradata (encoders) or parse it (decoders). */
    int (*init)(NCCodecContext *ctx);
    /* Frees what init and the codec allocated in priv_data (may run after a failed init). */
    void (*close)(NCCodecContext *ctx);
    /* Encoders: one of encode (one packet per frame) or receive_packet. */
    int (*encode)(NCCodecContext *ctx, const NCFrame *frame, NCPacket *pkt);
    int (*receive_packet)(NCCodecContext *ctx, NCPacket *pkt);
    /* Decoders: one of decode (one frame per packet) or receive_frame. */
    int (*decode)(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame);
    int (*receive_frame)(NCCodecContext *ctx, NCFrame *frame);
    /* Drops buffered state for a new stream (optional). */
    void (*flush)(NCCodecContext *ctx);
    /* Decoders (optional): the cheap checks decoding makes on a packet before any
     * work (its size against what the stream declares): 0, or the error with a
     * logged reason. For nc_codec_check_packet(). */
    int (*check_packet)(NCCodecContext *ctx, const NCPacket *pkt);
} NCCodecDef;

/* The definition behind a public codec (every NCCodec libnc hands out is one). */
static inline const NCCodecDef *nci_codec_def(const NCCodec *codec)
{
    return (const NCCodecDef *)codec;
}

/* The "model_path" option every codec with a model offers, stored in the char *
 * field `field` of its private struct `type`. */
#define NC_OPTION_MODEL_PATH(type, field)                                                   \
    {"model_path", "a .ncm file or a folder holding the model (default: the search path)", \
     NC_OPT_STRING, offsetof(type, field), {.s = ""}, 0, 4096, NULL, NULL}
/* Ends an option table. */
#define NC_OPTION_END {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL}

/* NC_EINTR when the caller's interrupt callback asks to stop, else 0: what a codec
 * polls between units of long work (ctx may be NULL: never). */
static inline int nci_codec_check_interrupt(const NCCodecContext *ctx)
{
    return ctx && ctx->interrupt_cb && ctx->interrupt_cb(ctx->interrupt_opaque) ? NC_EINTR : 0;
}

/* Loads model id as nc_model_find() does (at path when it is neither NULL nor ""),
 * checks it against pin when pin is not NULL (a decoder: the model the stream
 * header names, libnc/model_header.h), and, for a codec's context (ctx may be
 * NULL: tests and tools), records the id in ctx->model_id and names it at verbose
 * level. */
struct NCModel;
struct NCIModelPin;
int nci_codec_find_model(NCCodecContext *ctx, struct NCModel **model, const char *id,
                         const char *path, const struct NCIModelPin *pin);

/* Moves the pending input frame into the empty frame. */
int nci_codec_get_frame(NCCodecContext *ctx, NCFrame *frame);
/* Moves the pending input packet into the empty pkt. */
int nci_codec_get_packet(NCCodecContext *ctx, NCPacket *pkt);

/* pkt becomes a key packet holding a copy of data[size], at pts, lasting duration
 * (what the buffering audio encoders emit). 0 or NC_ENOMEM. */
int nci_packet_key(NCPacket *pkt, const uint8_t *data, size_t size, int64_t pts,
                   int64_t duration);

/* The output of an audio decoder that made `have` mono samples for pkt, which
 * declares `declared` of them: the frame gets the first min(have, declared). A
 * decoder that started mid-stream lacks the samples before its first frame's end,
 * so it has fewer than declared: the frame then starts that much after the
 * packet's pts. 0, NC_EAGAIN when there is nothing to output, or NC_ENOMEM. */
int nci_decoder_output_mono(NCFrame *frame, const NCPacket *pkt, const float *samples, int have,
                            int declared, int sample_rate);

#endif
