#include "apps/common/picture_convert.h"

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "nc/error.h"
#include "nc/log.h"

enum AVPixelFormat pix_fmt_to_av(enum NCPixelFormat fmt)
{
    switch (fmt) {
    case NC_PIX_GRAY8: return AV_PIX_FMT_GRAY8;
    case NC_PIX_RGB24: return AV_PIX_FMT_RGB24;
    case NC_PIX_YUV420P: return AV_PIX_FMT_YUV420P;
    default: return AV_PIX_FMT_NONE;
    }
}

enum NCPixelFormat pix_fmt_from_av(enum AVPixelFormat fmt)
{
    switch (fmt) {
    case AV_PIX_FMT_GRAY8: return NC_PIX_GRAY8;
    case AV_PIX_FMT_RGB24: return NC_PIX_RGB24;
    case AV_PIX_FMT_YUV420P: return NC_PIX_YUV420P;
    default: return NC_PIX_NONE;
    }
}

enum NCPixelFormat pix_fmt_best_for(enum AVPixelFormat src, const enum NCPixelFormat *allowed)
{
    static const enum NCPixelFormat all[] = {NC_PIX_GRAY8, NC_PIX_RGB24, NC_PIX_YUV420P,
                                             NC_PIX_NONE};
    enum AVPixelFormat list[8];
    int n = 0;
    for (const enum NCPixelFormat *f = allowed ? allowed : all; *f != NC_PIX_NONE && n < 7; f++)
        if (pix_fmt_to_av(*f) != AV_PIX_FMT_NONE) list[n++] = pix_fmt_to_av(*f);
    list[n] = AV_PIX_FMT_NONE;
    if (n == 0) return NC_PIX_NONE;
    if (src == AV_PIX_FMT_NONE) return pix_fmt_from_av(list[0]);
    int loss = 0;
    return pix_fmt_from_av(avcodec_find_best_pix_fmt_of_list(list, src, 0, &loss));
}

/* Whether fmt's samples use the full 0-255 range: gray and yuvj* always, other
 * YUV formats when the frame says so. (RGB has no range to choose.) */
static int full_range(enum AVPixelFormat fmt, enum AVColorRange range)
{
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(fmt);
    if (!desc || (desc->flags & AV_PIX_FMT_FLAG_RGB)) return 1;
    if (desc->nb_components <= 2) return 1; /* gray */
    if (fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P || fmt == AV_PIX_FMT_YUVJ444P ||
        fmt == AV_PIX_FMT_YUVJ440P || fmt == AV_PIX_FMT_YUVJ411P)
        return 1;
    return range == AVCOL_RANGE_JPEG;
}

typedef struct Picture {
    const uint8_t *const *data;
    const int *linesize;
    enum AVPixelFormat fmt;
    enum AVColorRange range;
} Picture;

/* Same format: a plain copy (whatever the range), so lossless paths stay exact;
 * else libswscale, told both sides' ranges (it would assume limited YUV). */
static int convert(uint8_t *const dst[], const int dst_linesize[], enum AVPixelFormat dst_fmt,
                   enum AVColorRange dst_range, const Picture *src, int width, int height,
                   struct SwsContext **sws)
{
    if (dst_fmt == src->fmt) {
        /* av_image_copy() wants non-const arrays of four. */
        uint8_t *d[4] = {dst[0], dst[1], dst[2], dst[3]};
        const uint8_t *s[4] = {src->data[0], src->data[1], src->data[2], src->data[3]};
        int dl[4] = {dst_linesize[0], dst_linesize[1], dst_linesize[2], dst_linesize[3]};
        int sl[4] = {src->linesize[0], src->linesize[1], src->linesize[2], src->linesize[3]};
        av_image_copy(d, dl, s, sl, src->fmt, width, height);
        return 0;
    }
    /* FFmpeg's own default (ffmpeg -pix_fmt): the same pixels as other tools give,
     * e.g. a JPEG's RGB; accurate_rnd and full_chr_h_int differed by up to 27 levels. */
    *sws = sws_getCachedContext(*sws, width, height, src->fmt, width, height, dst_fmt,
                                SWS_BICUBIC, NULL, NULL,
                                NULL);
    if (!*sws) {
        nc_log(NULL, NC_LOG_ERROR, "cannot convert pixels from %s to %s",
               av_get_pix_fmt_name(src->fmt), av_get_pix_fmt_name(dst_fmt));
        return NC_ENOTSUP;
    }
    int *inv_table, *table, src_full, dst_full, brightness, contrast, saturation;
    if (sws_getColorspaceDetails(*sws, &inv_table, &src_full, &table, &dst_full, &brightness,
                                 &contrast, &saturation) >= 0)
        sws_setColorspaceDetails(*sws, inv_table, full_range(src->fmt, src->range), table,
                                 full_range(dst_fmt, dst_range), brightness, contrast, saturation);
    sws_scale(*sws, src->data, src->linesize, 0, height, dst, dst_linesize);
    return 0;
}

int picture_from_avframe(NCFrame *dst, const AVFrame *src, enum NCMediaType type,
                            enum NCPixelFormat fmt, struct SwsContext **sws)
{
    dst->media_type = type;
    dst->width = src->width;
    dst->height = src->height;
    dst->pix_fmt = fmt;
    int ret = nc_frame_get_buffer(dst);
    if (ret < 0) return ret;
    Picture from = {(const uint8_t *const *)src->data, src->linesize,
                    (enum AVPixelFormat)src->format, src->color_range};
    /* libnc's YUV420P is video's limited range; its GRAY8 and RGB24 are full. */
    ret = convert(dst->data, dst->linesize, pix_fmt_to_av(fmt), AVCOL_RANGE_MPEG, &from,
                  src->width, src->height, sws);
    if (ret < 0) nc_frame_unref(dst);
    return ret;
}

int picture_to_avframe(AVFrame *dst, const NCFrame *src, enum AVPixelFormat fmt,
                          enum AVColorRange range, struct SwsContext **sws)
{
    dst->format = fmt;
    dst->width = src->width;
    dst->height = src->height;
    dst->color_range = range;
    if (av_frame_get_buffer(dst, 0) < 0) return NC_ENOMEM;
    Picture from = {(const uint8_t *const *)src->data, src->linesize,
                    pix_fmt_to_av(src->pix_fmt), AVCOL_RANGE_MPEG};
    int ret = convert(dst->data, dst->linesize, fmt, range, &from, src->width, src->height, sws);
    if (ret < 0) av_frame_unref(dst);
    return ret;
}
