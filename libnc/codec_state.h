/* The framework's per-context state behind NCCodecContext.internal. Internal. */
#ifndef NC_CODEC_STATE_H
#define NC_CODEC_STATE_H

#include "nc/codec.h"

struct NCCodecInternal {
    int initialized; /* init was called (close must run) */
    int is_open;     /* init succeeded */
    int draining;    /* the user sent NULL: no more input */
    int eof;         /* receive has returned NC_EOF */
    int has_frame;   /* encoders: one pending input frame */
    NCFrame frame;
    int has_packet; /* decoders: one pending input packet */
    NCPacket packet;
};

static inline int nci_codec_is_open(const NCCodecContext *ctx)
{
    return ctx->internal && ctx->internal->is_open;
}

/* Option storage helpers for codec.c (options.c). */
int nci_opt_apply_defaults(NCCodecContext *ctx);
void nci_opt_free_strings(NCCodecContext *ctx);

#endif
