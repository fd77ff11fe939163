/* The codec framework: registry, context life cycle and the send/receive state
 * machine with libavcodec's contract (see nc/codec.h and codec_internal.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/registry.h"
#include "libnc/check.h"
#include "libnc/codec_internal.h"
#include "libnc/codec_state.h"
#include "libnc/bounds.h"

const NCCodec *nc_codec_iterate(void **it)
{
    if (!it) return NULL;
    uintptr_t i = (uintptr_t)*it;
    for (uintptr_t n = 0; n < i; n++) /* never walk past the terminator */
        if (!nci_registered_codecs[n]) return NULL;
    const NCCodecDef *c = nci_registered_codecs[i];
    if (c) *it = (void *)(i + 1);
    return c ? &c->p : NULL;
}

int nc_codec_is_encoder(const NCCodec *codec)
{
    return codec && nci_codec_def(codec)->is_encoder;
}

static const NCCodec *find_codec(const char *name, int is_encoder)
{
    if (!name) return NULL;
    void *it = NULL;
    for (const NCCodec *c; (c = nc_codec_iterate(&it));)
        if (nc_codec_is_encoder(c) == is_encoder && !strcmp(c->name, name)) return c;
    return NULL;
}

const NCCodec *nc_codec_find_encoder_by_name(const char *name)
{
    return find_codec(name, 1);
}

const NCCodec *nc_codec_find_decoder_by_name(const char *name)
{
    return find_codec(name, 0);
}

static const char *codec_context_name(const void *ctx)
{
    return ((const NCCodecContext *)ctx)->codec->name;
}

static const NCClass codec_class = {"codec", codec_context_name};

NCCodecContext *nc_codec_alloc_context(const NCCodec *codec)
{
    if (!codec || !codec->name) return NULL;
    const NCCodecDef *def = nci_codec_def(codec);
    NCCodecContext *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) return NULL;
    ctx->nc_class = &codec_class;
    ctx->codec = codec;
    ctx->media_type = codec->media_type;
    ctx->internal = calloc(1, sizeof(*ctx->internal));
    if (ctx->internal) {
        nc_frame_unref(&ctx->internal->frame);
        ctx->priv_data = calloc(1, def->priv_size ? def->priv_size : 1);
    }
    if (!ctx->internal || !ctx->priv_data || nci_opt_apply_defaults(ctx) < 0)
        nc_codec_free_context(&ctx);
    return ctx;
}

static void drop_pending(NCCodecContext *ctx)
{
    struct NCCodecInternal *in = ctx->internal;
    nc_frame_unref(&in->frame);
    nc_packet_unref(&in->packet);
    in->has_frame = in->has_packet = 0;
}

void nc_codec_free_context(NCCodecContext **pctx)
{
    if (!pctx || !*pctx) return;
    NCCodecContext *ctx = *pctx;
    if (ctx->internal) {
        const NCCodecDef *def = nci_codec_def(ctx->codec);
        if (ctx->internal->initialized && def->close) def->close(ctx);
        drop_pending(ctx);
    }
    if (ctx->priv_data) nci_opt_free_strings(ctx);
    free(ctx->priv_data);
    free(ctx->extradata);
    free(ctx->internal);
    free(ctx);
    *pctx = NULL;
}

int nc_codec_set_extradata(NCCodecContext *ctx, const uint8_t *data, size_t size)
{
    NC_CHECK_ARG(ctx && ctx->internal && (data || !size));
    NC_RETURN_ERROR_IF(size > NC_MAX_EXTRADATA, NC_ERANGE, ctx, "extradata of %zu bytes is too large", size);
    NC_RETURN_ERROR_IF(nci_codec_is_open(ctx), NC_EINVAL, ctx, "extradata is set before open");
    uint8_t *copy = calloc(1, size + NC_INPUT_PADDING);
    if (!copy) return NC_ENOMEM;
    if (size) memcpy(copy, data, size);
    free(ctx->extradata);
    ctx->extradata = copy;
    ctx->extradata_size = size;
    return 0;
}

/* Whether value is in a 0-terminated list; a NULL list allows anything. */
static int listed(const int *list, int value)
{
    if (!list) return 1;
    for (; *list; list++)
        if (*list == value) return 1;
    return 0;
}

static int listed_pix_fmt(const enum NCPixelFormat *fmts, enum NCPixelFormat fmt)
{
    if (!fmts) return nc_pix_fmt_planes(fmt) > 0;
    for (; *fmts != NC_PIX_NONE; fmts++)
        if (*fmts == fmt) return 1;
    return 0;
}

/* Media parameters against the descriptor's lists. Encoders and picture decoders
 * need all of them; an audio decoder may leave sample rate or channels at 0 for
 * its init to set from the stream header, and what it is given is checked. */
static int check_params(NCCodecContext *ctx)
{
    const NCCodec *c = ctx->codec;
    switch (c->media_type) {
    case NC_MEDIA_AUDIO: {
        int all = nc_codec_is_encoder(c); /* a decoder may leave either at 0 */
        NC_RETURN_ERROR_IF((all || ctx->sample_rate) &&
                               (ctx->sample_rate <= 0 || ctx->sample_rate > NC_MAX_SAMPLE_RATE),
                           NC_EINVAL, ctx, "invalid sample rate %d", ctx->sample_rate);
        NC_RETURN_ERROR_IF((all || ctx->sample_rate) && !listed(c->sample_rates, ctx->sample_rate),
                           NC_ENOTSUP, ctx, "sample rate %d Hz is not supported",
                           ctx->sample_rate);
        NC_RETURN_ERROR_IF((all || ctx->channels) &&
                               (ctx->channels < 1 || ctx->channels > NC_MAX_CHANNELS),
                           NC_EINVAL, ctx, "invalid channel count %d", ctx->channels);
        NC_RETURN_ERROR_IF((all || ctx->channels) && !listed(c->channel_counts, ctx->channels),
                           NC_ENOTSUP, ctx, "%d channels are not supported",
                           ctx->channels);
        return 0;
    }
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE:
        NC_RETURN_ERROR_IF(!nci_dimensions_valid(ctx->width, ctx->height), NC_EINVAL, ctx,
                           "invalid dimensions %dx%d", ctx->width, ctx->height);
        NC_RETURN_ERROR_IF(!listed_pix_fmt(c->pix_fmts, ctx->pix_fmt), NC_ENOTSUP, ctx,
                           "pixel format %s is not supported",
                           nc_pix_fmt_name(ctx->pix_fmt) ? nc_pix_fmt_name(ctx->pix_fmt) : "none");
        return 0;
    default: return 0;
    }
}

static void default_time_base(NCCodecContext *ctx)
{
    if (ctx->time_base.num > 0 && ctx->time_base.den > 0) return;
    ctx->time_base.num = 1;
    ctx->time_base.den = ctx->media_type == NC_MEDIA_AUDIO && ctx->sample_rate > 0 ? ctx->sample_rate
                         : ctx->media_type == NC_MEDIA_VIDEO                       ? 25
                                                                                   : 1;
}

int nc_codec_open(NCCodecContext *ctx)
{
    NC_CHECK_ARG(ctx && ctx->internal && ctx->codec);
    struct NCCodecInternal *in = ctx->internal;
    NC_RETURN_ERROR_IF(in->initialized, NC_EINVAL, ctx, "context already opened");
    NC_RETURN_ERROR_IF(ctx->threads < 0, NC_EINVAL, ctx, "threads must be >= 0");
    NC_RETURN_ERROR_IF(ctx->time_base.num < 0 || ctx->time_base.den < 0, NC_EINVAL, ctx,
                       "invalid time base");
    const NCCodecDef *def = nci_codec_def(ctx->codec);
    NC_FORWARD_IF_ERROR(check_params(ctx));
    default_time_base(ctx);
    in->initialized = 1;
    int ret = def->init ? def->init(ctx) : 0;
    if (ret < 0) return ret;
    NC_RETURN_ERROR_IF(ctx->extradata_size > NC_MAX_EXTRADATA, NC_EBUG, ctx, "extradata too large");
    in->is_open = 1;
    return 0;
}

int nc_codec_flush(NCCodecContext *ctx)
{
    NC_CHECK_ARG(ctx && nci_codec_is_open(ctx));
    drop_pending(ctx);
    ctx->internal->draining = ctx->internal->eof = 0;
    if (nci_codec_def(ctx->codec)->flush) nci_codec_def(ctx->codec)->flush(ctx);
    return 0;
}

static int check_frame(const NCCodecContext *ctx, const NCFrame *f)
{
    NC_RETURN_ERROR_IF(f->media_type != ctx->media_type, NC_EINVAL, ctx,
                       "frame is %s, codec takes %s", nc_media_type_name(f->media_type),
                       nc_media_type_name(ctx->media_type));
    switch (f->media_type) {
    case NC_MEDIA_AUDIO:
        NC_RETURN_ERROR_IF(f->sample_rate != ctx->sample_rate || f->channels != ctx->channels,
                           NC_EINVAL, ctx, "frame is %d Hz x %d, context %d Hz x %d",
                           f->sample_rate, f->channels, ctx->sample_rate, ctx->channels);
        NC_RETURN_ERROR_IF(f->nb_samples <= 0 || f->nb_samples > NC_MAX_FRAME_SAMPLES, NC_EINVAL,
                           ctx, "frame has %d samples", f->nb_samples);
        for (int c = 0; c < f->channels; c++)
            NC_RETURN_ERROR_IF(!f->data[c], NC_EINVAL, ctx, "channel %d has no data", c);
        return 0;
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE:
        NC_RETURN_ERROR_IF(f->width != ctx->width || f->height != ctx->height ||
                               f->pix_fmt != ctx->pix_fmt,
                           NC_EINVAL, ctx, "frame is %dx%d, context %dx%d (or pixel format differs)", f->width, f->height, ctx->width, ctx->height);
        for (int p = 0; p < nc_pix_fmt_planes(f->pix_fmt); p++)
            NC_RETURN_ERROR_IF(!f->data[p] || f->linesize[p] < nc_pix_fmt_plane_width(f->pix_fmt, p, f->width),
                               NC_EINVAL, ctx, "plane %d is missing or too narrow", p);
        return 0;
    case NC_MEDIA_BYTES:
        NC_RETURN_ERROR_IF(!f->data[0] && f->nb_bytes, NC_EINVAL, ctx, "frame has no data");
        NC_RETURN_ERROR_IF(f->nb_bytes > NC_MAX_FRAME_BYTES, NC_EINVAL, ctx, "frame too large");
        return 0;
    default: return NC_EINVAL;
    }
}

/* A reference when the frame is refcounted, otherwise a copy (the caller keeps
 * ownership of its own memory either way). */
static int take_frame(NCFrame *dst, const NCFrame *src)
{
    int refcounted = 1;
    for (int i = 0; i < NC_MAX_PLANES; i++)
        if (src->data[i] && !src->buf[i]) refcounted = 0;
    if (refcounted) return nc_frame_ref(dst, src);

    NCFrame tmp = *src;
    memset(tmp.data, 0, sizeof(tmp.data));
    memset(tmp.buf, 0, sizeof(tmp.buf));
    memset(tmp.linesize, 0, sizeof(tmp.linesize));
    NC_FORWARD_IF_ERROR(nc_frame_get_buffer(&tmp));
    switch (src->media_type) {
    case NC_MEDIA_AUDIO:
        for (int c = 0; c < src->channels; c++)
            memcpy(tmp.data[c], src->data[c], (size_t)src->nb_samples * sizeof(float));
        break;
    case NC_MEDIA_BYTES:
        if (src->nb_bytes) memcpy(tmp.data[0], src->data[0], src->nb_bytes);
        break;
    default:
        for (int p = 0; p < nc_pix_fmt_planes(src->pix_fmt); p++) {
            int w = nc_pix_fmt_plane_width(src->pix_fmt, p, src->width);
            int h = nc_pix_fmt_plane_height(src->pix_fmt, p, src->height);
            for (int y = 0; y < h; y++)
                memcpy(tmp.data[p] + (size_t)y * tmp.linesize[p],
                       src->data[p] + (size_t)y * src->linesize[p], (size_t)w);
        }
    }
    nc_frame_move_ref(dst, &tmp);
    return 0;
}

static int check_io(NCCodecContext *ctx, int want_encoder)
{
    NC_CHECK_ARG(ctx && ctx->internal && ctx->codec);
    NC_RETURN_ERROR_IF(!nci_codec_is_open(ctx), NC_EINVAL, ctx, "codec is not open");
    NC_RETURN_ERROR_IF(nci_codec_def(ctx->codec)->is_encoder != want_encoder, NC_EINVAL, ctx,
                       "this call is for %s",
                       want_encoder ? "encoders" : "decoders");
    return 0;
}

int nc_send_frame(NCCodecContext *ctx, const NCFrame *frame)
{
    NC_FORWARD_IF_ERROR(check_io(ctx, 1));
    struct NCCodecInternal *in = ctx->internal;
    if (in->draining) return NC_EOF;
    if (!frame) {
        in->draining = 1;
        return 0;
    }
    NC_FORWARD_IF_ERROR(check_frame(ctx, frame));
    if (in->has_frame) return NC_EAGAIN;
    NC_FORWARD_IF_ERROR(take_frame(&in->frame, frame));
    in->has_frame = 1;
    return 0;
}

int nc_send_packet(NCCodecContext *ctx, const NCPacket *pkt)
{
    NC_FORWARD_IF_ERROR(check_io(ctx, 0));
    struct NCCodecInternal *in = ctx->internal;
    if (in->draining) return NC_EOF;
    if (!pkt || (!pkt->data && !pkt->size)) {
        in->draining = 1;
        return 0;
    }
    NC_CHECK_ARG(pkt->data);
    if (in->has_packet) return NC_EAGAIN;
    NC_FORWARD_IF_ERROR(nc_packet_ref(&in->packet, pkt));
    in->has_packet = 1;
    return 0;
}

/* Common ending of both receive calls: EOF sticks; EAGAIN while nothing more can
 * come in would hang the caller, so it is reported as a codec bug. */
static int finish_receive(NCCodecContext *ctx, int ret)
{
    struct NCCodecInternal *in = ctx->internal;
    if (ret == NC_EOF) {
        NC_RETURN_ERROR_IF(!in->draining, NC_EBUG, ctx, "EOF before flush");
        in->eof = 1;
    }
    if (ret == NC_EAGAIN && in->draining && !in->has_frame && !in->has_packet) {
        nc_log(ctx, NC_LOG_ERROR, "asks for input while draining");
        return NC_EBUG;
    }
    return ret;
}

/* The "one packet per frame" shape (codec_internal.h). */
static int encode_one(NCCodecContext *ctx, NCPacket *pkt)
{
    NCFrame frame = {0};
    int ret = nci_codec_get_frame(ctx, &frame);
    if (ret < 0) return ret;
    ret = nci_codec_def(ctx->codec)->encode(ctx, &frame, pkt);
    if (ret >= 0) {
        pkt->pts = frame.pts;
        pkt->duration = frame.duration;
        pkt->flags |= NC_PKT_FLAG_KEY;
    }
    nc_frame_unref(&frame);
    return ret;
}

/* The "one frame per packet" shape (codec_internal.h); a packet that yields no
 * frame (NC_EAGAIN from decode) is followed by the next one. */
static int decode_one(NCCodecContext *ctx, NCFrame *frame)
{
    for (;;) {
        NCPacket pkt = {0};
        int ret = nci_codec_get_packet(ctx, &pkt);
        if (ret < 0) return ret;
        ret = nci_codec_def(ctx->codec)->decode(ctx, &pkt, frame);
        if (ret >= 0) {
            if (frame->pts == NC_NOPTS_VALUE) frame->pts = pkt.pts;
            if (!frame->duration) frame->duration = pkt.duration;
        }
        nc_packet_unref(&pkt);
        if (ret != NC_EAGAIN) return ret;
        nc_frame_unref(frame);
    }
}

int nc_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    NC_CHECK_ARG(pkt);
    nc_packet_unref(pkt);
    NC_FORWARD_IF_ERROR(check_io(ctx, 1));
    if (ctx->internal->eof) return NC_EOF;
    const NCCodecDef *def = nci_codec_def(ctx->codec);
    int ret = finish_receive(ctx, def->receive_packet ? def->receive_packet(ctx, pkt)
                                                      : encode_one(ctx, pkt));
    if (ret < 0) nc_packet_unref(pkt);
    return ret;
}

int nc_receive_frame(NCCodecContext *ctx, NCFrame *frame)
{
    NC_CHECK_ARG(frame);
    nc_frame_unref(frame);
    NC_FORWARD_IF_ERROR(check_io(ctx, 0));
    if (ctx->internal->eof) return NC_EOF;
    const NCCodecDef *def = nci_codec_def(ctx->codec);
    int ret = finish_receive(ctx, def->receive_frame ? def->receive_frame(ctx, frame)
                                                     : decode_one(ctx, frame));
    if (ret < 0) nc_frame_unref(frame);
    return ret;
}

int nci_codec_get_frame(NCCodecContext *ctx, NCFrame *frame)
{
    struct NCCodecInternal *in = ctx->internal;
    if (!in->has_frame) return in->draining ? NC_EOF : NC_EAGAIN;
    nc_frame_move_ref(frame, &in->frame);
    in->has_frame = 0;
    return 0;
}

int nci_codec_get_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    struct NCCodecInternal *in = ctx->internal;
    if (!in->has_packet) return in->draining ? NC_EOF : NC_EAGAIN;
    nc_packet_move_ref(pkt, &in->packet);
    in->has_packet = 0;
    return 0;
}

int nc_codec_check_packet(NCCodecContext *ctx, const NCPacket *pkt)
{
    NC_CHECK_ARG(pkt && (pkt->data || !pkt->size));
    NC_FORWARD_IF_ERROR(check_io(ctx, 0));
    const NCCodecDef *def = nci_codec_def(ctx->codec);
    return def->check_packet ? def->check_packet(ctx, pkt) : 0;
}
