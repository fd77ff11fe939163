#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/check.h"
#include "libnc/bounds.h"
#include "libnc/codec_internal.h"
#include "nc/frame.h"

NCFrame *nc_frame_alloc(void)
{
    NCFrame *frame = calloc(1, sizeof(*frame));
    if (frame) nc_frame_unref(frame);
    return frame;
}

void nc_frame_free(NCFrame **frame)
{
    if (!frame || !*frame) return;
    nc_frame_unref(*frame);
    free(*frame);
    *frame = NULL;
}

void nc_frame_unref(NCFrame *frame)
{
    if (!frame) return;
    for (int i = 0; i < NC_MAX_PLANES; i++) nc_buffer_unref(&frame->buf[i]);
    memset(frame, 0, sizeof(*frame));
    frame->pts = NC_NOPTS_VALUE;
}

static int frame_is_empty(const NCFrame *frame)
{
    for (int i = 0; i < NC_MAX_PLANES; i++)
        if (frame->buf[i] || frame->data[i]) return 0;
    return 1;
}

int nc_pix_fmt_planes(enum NCPixelFormat fmt)
{
    switch (fmt) {
    case NC_PIX_GRAY8:
    case NC_PIX_RGB24: return 1;
    case NC_PIX_YUV420P: return 3;
    default: return 0;
    }
}

int nc_pix_fmt_plane_width(enum NCPixelFormat fmt, int plane, int width)
{
    if (plane < 0 || plane >= nc_pix_fmt_planes(fmt) || width <= 0) return 0;
    if (fmt == NC_PIX_RGB24) return width > INT_MAX / 3 ? 0 : width * 3;
    if (fmt == NC_PIX_YUV420P && plane > 0) return (width + 1) / 2;
    return width;
}

int nc_pix_fmt_plane_height(enum NCPixelFormat fmt, int plane, int height)
{
    if (plane < 0 || plane >= nc_pix_fmt_planes(fmt) || height <= 0) return 0;
    if (fmt == NC_PIX_YUV420P && plane > 0) return (height + 1) / 2;
    return height;
}

const char *nc_pix_fmt_name(enum NCPixelFormat fmt)
{
    switch (fmt) {
    case NC_PIX_GRAY8: return "gray";
    case NC_PIX_RGB24: return "rgb24";
    case NC_PIX_YUV420P: return "yuv420p";
    default: return NULL;
    }
}

enum NCPixelFormat nc_pix_fmt_from_name(const char *name)
{
    if (!name) return NC_PIX_NONE;
    for (int f = NC_PIX_GRAY8; f <= NC_PIX_YUV420P; f++)
        if (!strcmp(name, nc_pix_fmt_name((enum NCPixelFormat)f))) return (enum NCPixelFormat)f;
    return NC_PIX_NONE;
}

const char *nc_media_type_name(enum NCMediaType type)
{
    switch (type) {
    case NC_MEDIA_AUDIO: return "audio";
    case NC_MEDIA_VIDEO: return "video";
    case NC_MEDIA_IMAGE: return "image";
    case NC_MEDIA_BYTES: return "bytes";
    default: return "unknown";
    }
}

static int alloc_plane(NCFrame *frame, int plane, size_t bytes, int linesize)
{
    frame->buf[plane] = nc_buffer_alloc(bytes);
    if (!frame->buf[plane]) return NC_ENOMEM;
    frame->data[plane] = nc_buffer_data(frame->buf[plane]);
    frame->linesize[plane] = linesize;
    return 0;
}

static int get_audio_buffer(NCFrame *frame)
{
    if (frame->channels < 1 || frame->channels > NC_MAX_CHANNELS || frame->nb_samples < 0 ||
        frame->nb_samples > NC_MAX_FRAME_SAMPLES)
        return NC_EINVAL;
    size_t bytes = (size_t)frame->nb_samples * sizeof(float);
    for (int c = 0; c < frame->channels; c++)
        NC_FORWARD_IF_ERROR(alloc_plane(frame, c, bytes, (int)bytes));
    return 0;
}

static int get_picture_buffer(NCFrame *frame)
{
    if (!nci_dimensions_valid(frame->width, frame->height) || !nc_pix_fmt_planes(frame->pix_fmt))
        return NC_EINVAL;
    for (int p = 0; p < nc_pix_fmt_planes(frame->pix_fmt); p++) {
        int w = nc_pix_fmt_plane_width(frame->pix_fmt, p, frame->width);
        int h = nc_pix_fmt_plane_height(frame->pix_fmt, p, frame->height);
        int stride = (w + 63) & ~63; /* aligned rows for SIMD readers */
        NC_FORWARD_IF_ERROR(alloc_plane(frame, p, (size_t)stride * (size_t)h, stride));
    }
    return 0;
}

int nc_frame_get_buffer(NCFrame *frame)
{
    NC_CHECK_ARG(frame);
    NC_CHECK_ARG(frame_is_empty(frame));
    int ret;
    switch (frame->media_type) {
    case NC_MEDIA_AUDIO: ret = get_audio_buffer(frame); break;
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE: ret = get_picture_buffer(frame); break;
    case NC_MEDIA_BYTES:
        ret = frame->nb_bytes > NC_MAX_FRAME_BYTES
                  ? NC_EINVAL
                  : alloc_plane(frame, 0, frame->nb_bytes, 0);
        break;
    default: ret = NC_EINVAL;
    }
    if (ret < 0) {
        for (int i = 0; i < NC_MAX_PLANES; i++) {
            nc_buffer_unref(&frame->buf[i]);
            frame->data[i] = NULL;
            frame->linesize[i] = 0;
        }
    }
    return ret;
}

int nc_frame_ref(NCFrame *dst, const NCFrame *src)
{
    NC_CHECK_ARG(dst && src && dst != src);
    NC_CHECK_ARG(frame_is_empty(dst));
    for (int i = 0; i < NC_MAX_PLANES; i++)
        NC_CHECK_ARG(!src->data[i] || src->buf[i]); /* only refcounted frames can be shared */
    *dst = *src;
    for (int i = 0; i < NC_MAX_PLANES; i++) dst->buf[i] = nc_buffer_ref(src->buf[i]);
    return 0;
}

void nc_frame_move_ref(NCFrame *dst, NCFrame *src)
{
    if (!dst || !src || dst == src) return;
    nc_frame_unref(dst);
    *dst = *src;
    memset(src, 0, sizeof(*src));
    nc_frame_unref(src);
}

int nci_decoder_output_mono(NCFrame *frame, const NCPacket *pkt, const float *samples, int have,
                            int declared, int sample_rate)
{
    int64_t shift = declared > have ? declared - have : 0;
    int n = declared < have ? declared : have;
    if (n <= 0)
        return NC_EAGAIN;
    frame->media_type = NC_MEDIA_AUDIO;
    frame->nb_samples = n;
    frame->channels = 1;
    frame->sample_rate = sample_rate;
    int ret = nc_frame_get_buffer(frame);
    if (ret < 0)
        return ret;
    memcpy(frame->data[0], samples, sizeof(float) * (size_t)n);
    frame->pts = pkt->pts == NC_NOPTS_VALUE ? pkt->pts : pkt->pts + shift;
    frame->duration = n;
    return 0;
}
