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
    const NCCodec *c = nci_registered_codecs[i];
    if (c) *it = (void *)(i + 1);
    return c;
}

static const NCCodec *find_codec(const char *name, int is_encoder)
{
    if (!name) return NULL;
    void *it = NULL;
    for (const NCCodec *c; (c = nc_codec_iterate(&it));)
        if (c->is_encoder == is_encoder && !strcmp(c->name, name)) return c;
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

NCCodecContext *nc_codec_alloc_context(const NCCodec *codec)
{
    if (!codec || !codec->cb || !codec->name) return NULL;
    NCCodecContext *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) return NULL;
    ctx->codec = codec;
    ctx->media_type = codec->media_type;
    ctx->internal = calloc(1, sizeof(*ctx->internal));
    if (ctx->internal) {
        nc_frame_unref(&ctx->internal->frame);
        ctx->priv_data = calloc(1, codec->cb->priv_size ? codec->cb->priv_size : 1);
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
        if (ctx->internal->initialized && ctx->codec->cb->close) ctx->codec->cb->close(ctx);
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

/* Encoders get checked media parameters; decoders learn theirs from extradata. */
static int check_encoder_params(NCCodecContext *ctx)
{
    const NCCodec *c = ctx->codec;
    switch (c->media_type) {
    case NC_MEDIA_AUDIO:
        NC_RETURN_ERROR_IF(ctx->sample_rate <= 0 || ctx->sample_rate > NC_MAX_SAMPLE_RATE,
                           NC_EINVAL, ctx, "%s: invalid sample rate %d", c->name, ctx->sample_rate);
        NC_RETURN_ERROR_IF(!listed(c->sample_rates, ctx->sample_rate), NC_ENOTSUP, ctx,
                           "%s: sample rate %d Hz is not supported", c->name, ctx->sample_rate);
        NC_RETURN_ERROR_IF(ctx->channels < 1 || ctx->channels > NC_MAX_CHANNELS, NC_EINVAL, ctx,
                           "%s: invalid channel count %d", c->name, ctx->channels);
        NC_RETURN_ERROR_IF(!listed(c->channel_counts, ctx->channels), NC_ENOTSUP, ctx,
                           "%s: %d channels are not supported", c->name, ctx->channels);
        return 0;
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE:
        NC_RETURN_ERROR_IF(!nci_dimensions_valid(ctx->width, ctx->height), NC_EINVAL, ctx,
                           "%s: invalid dimensions %dx%d", c->name, ctx->width, ctx->height);
        NC_RETURN_ERROR_IF(!listed_pix_fmt(c->pix_fmts, ctx->pix_fmt), NC_ENOTSUP, ctx,
                           "%s: pixel format %s is not supported", c->name,
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
    NC_RETURN_ERROR_IF(in->initialized, NC_EINVAL, ctx, "%s: context already opened",
                       ctx->codec->name);
    NC_RETURN_ERROR_IF(ctx->threads < 0, NC_EINVAL, ctx, "threads must be >= 0");
    NC_RETURN_ERROR_IF(ctx->time_base.num < 0 || ctx->time_base.den < 0, NC_EINVAL, ctx,
                       "invalid time base");
    if (ctx->codec->is_encoder) NC_FORWARD_IF_ERROR(check_encoder_params(ctx));
    default_time_base(ctx);
    in->initialized = 1;
    int ret = ctx->codec->cb->init ? ctx->codec->cb->init(ctx) : 0;
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
    if (ctx->codec->cb->flush) ctx->codec->cb->flush(ctx);
    return 0;
}

static int check_frame(const NCCodecContext *ctx, const NCFrame *f)
{
    const char *name = ctx->codec->name;
    NC_RETURN_ERROR_IF(f->media_type != ctx->media_type, NC_EINVAL, ctx,
                       "%s: frame is %s, codec takes %s", name, nc_media_type_name(f->media_type),
                       nc_media_type_name(ctx->media_type));
    switch (f->media_type) {
    case NC_MEDIA_AUDIO:
        NC_RETURN_ERROR_IF(f->sample_rate != ctx->sample_rate || f->channels != ctx->channels,
                           NC_EINVAL, ctx, "%s: frame is %d Hz x %d, context %d Hz x %d", name,
                           f->sample_rate, f->channels, ctx->sample_rate, ctx->channels);
        NC_RETURN_ERROR_IF(f->nb_samples <= 0 || f->nb_samples > NC_MAX_FRAME_SAMPLES, NC_EINVAL,
                           ctx, "%s: frame has %d samples", name, f->nb_samples);
        for (int c = 0; c < f->channels; c++)
            NC_RETURN_ERROR_IF(!f->data[c], NC_EINVAL, ctx, "%s: channel %d has no data", name, c);
        return 0;
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE:
        NC_RETURN_ERROR_IF(f->width != ctx->width || f->height != ctx->height ||
                               f->pix_fmt != ctx->pix_fmt,
                           NC_EINVAL, ctx, "%s: frame is %dx%d, context %dx%d (or pixel format differs)",
                           name, f->width, f->height, ctx->width, ctx->height);
        for (int p = 0; p < nc_pix_fmt_planes(f->pix_fmt); p++)
            NC_RETURN_ERROR_IF(!f->data[p] || f->linesize[p] < nc_pix_fmt_plane_width(f->pix_fmt, p, f->width),
                               NC_EINVAL, ctx, "%s: plane %d is missing or too narrow", name, p);
        return 0;
    case NC_MEDIA_BYTES:
        NC_RETURN_ERROR_IF(!f->data[0] && f->nb_bytes, NC_EINVAL, ctx, "%s: frame has no data", name);
        NC_RETURN_ERROR_IF(f->nb_bytes > NC_MAX_FRAME_BYTES, NC_EINVAL, ctx, "%s: frame too large", name);
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
    NC_RETURN_ERROR_IF(!nci_codec_is_open(ctx), NC_EINVAL, ctx, "%s: codec is not open",
                       ctx->codec->name);
    NC_RETURN_ERROR_IF(ctx->codec->is_encoder != want_encoder, NC_EINVAL, ctx,
                       "%s: this call is for %s", ctx->codec->name,
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
        NC_RETURN_ERROR_IF(!in->draining, NC_EBUG, ctx, "%s: EOF before flush", ctx->codec->name);
        in->eof = 1;
    }
    if (ret == NC_EAGAIN && in->draining && !in->has_frame && !in->has_packet) {
        nc_log(ctx, NC_LOG_ERROR, "%s: asks for input while draining", ctx->codec->name);
        return NC_EBUG;
    }
    return ret;
}

int nc_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    NC_CHECK_ARG(pkt);
    nc_packet_unref(pkt);
    NC_FORWARD_IF_ERROR(check_io(ctx, 1));
    if (ctx->internal->eof) return NC_EOF;
    int ret = finish_receive(ctx, ctx->codec->cb->receive_packet(ctx, pkt));
    if (ret < 0) nc_packet_unref(pkt);
    return ret;
}

int nc_receive_frame(NCCodecContext *ctx, NCFrame *frame)
{
    NC_CHECK_ARG(frame);
    nc_frame_unref(frame);
    NC_FORWARD_IF_ERROR(check_io(ctx, 0));
    if (ctx->internal->eof) return NC_EOF;
    int ret = finish_receive(ctx, ctx->codec->cb->receive_frame(ctx, frame));
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
    return ctx->codec->cb->check_packet ? ctx->codec->cb->check_packet(ctx, pkt) : 0;
}
