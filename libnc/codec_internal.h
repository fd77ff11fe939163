/* What a codec module implements, and the helpers it calls. Internal to libnc.
 *
 * The framework (codec.c) owns the send/receive state machine: it validates
 * arguments and state, keeps at most one pending input (frame or packet), and
 * tracks draining. A codec implements one callback that produces output:
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

typedef struct NCCodecCallbacks {
    size_t priv_size; /* bytes of ctx->priv_data, zeroed, options stored at their offsets */
    /* After parameters and options are set: check them (NC_EINVAL / NC_ENOTSUP with a
     * logged reason), load models, set ctx->extradata (encoders) or parse it (decoders). */
    int (*init)(NCCodecContext *ctx);
    /* Frees what init and the codec allocated in priv_data (may run after a failed init). */
    void (*close)(NCCodecContext *ctx);
    int (*receive_packet)(NCCodecContext *ctx, NCPacket *pkt);
    int (*receive_frame)(NCCodecContext *ctx, NCFrame *frame);
    /* Drops buffered state for a new stream (optional). */
    void (*flush)(NCCodecContext *ctx);
    /* Decoders (optional): the cheap checks receive_frame makes on a packet before
     * any work (its size against what the stream declares): 0, or the error with a
     * logged reason. For nc_codec_check_packet(). */
    int (*check_packet)(NCCodecContext *ctx, const NCPacket *pkt);
} NCCodecCallbacks;

/* NC_EINTR when the caller's interrupt callback asks to stop, else 0: what a codec
 * polls between units of long work (ctx may be NULL: never). */
static inline int nc_codec_check_interrupt(const NCCodecContext *ctx)
{
    return ctx && ctx->interrupt_cb && ctx->interrupt_cb(ctx->interrupt_opaque) ? NC_EINTR : 0;
}

/* Moves the pending input frame into the empty frame. */
int nci_codec_get_frame(NCCodecContext *ctx, NCFrame *frame);
/* Moves the pending input packet into the empty pkt. */
int nci_codec_get_packet(NCCodecContext *ctx, NCPacket *pkt);

#endif
