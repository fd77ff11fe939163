/* Pictures between FFmpeg (AVFrame) and libnc (NCFrame): pixel format mapping,
 * the choice of a format a codec takes, and conversion through libswscale, or a
 * plain copy when the formats match (so lossless paths stay exact). Sample
 * ranges: libnc's GRAY8 and RGB24 are full range, YUV420P limited (video's);
 * FFmpeg frames say theirs (color_range, or a yuvj* format). */
#ifndef NC_APPS_PICTURE_CONVERT_H
#define NC_APPS_PICTURE_CONVERT_H

#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

#include "nc/frame.h"

struct SwsContext;

enum AVPixelFormat pix_fmt_to_av(enum NCPixelFormat fmt);
/* NC_PIX_NONE for formats libnc does not have. */
enum NCPixelFormat pix_fmt_from_av(enum AVPixelFormat fmt);
/* The format in allowed (NC_PIX_NONE-terminated; NULL = all of libnc's) that loses
 * least from src, as FFmpeg judges it. */
enum NCPixelFormat pix_fmt_best_for(enum AVPixelFormat src, const enum NCPixelFormat *allowed);

/* Fills the empty dst (of media type video or image) with src converted to fmt,
 * same size. *sws is a cached scaler the caller frees with sws_freeContext(). */
int picture_from_avframe(NCFrame *dst, const AVFrame *src, enum NCMediaType type,
                            enum NCPixelFormat fmt, struct SwsContext **sws);
/* Fills the empty dst (av_frame_alloc()ed) with src converted to fmt, whose
 * YUV samples use range (AVCOL_RANGE_JPEG: full, else limited). */
int picture_to_avframe(AVFrame *dst, const NCFrame *src, enum AVPixelFormat fmt,
                          enum AVColorRange range, struct SwsContext **sws);

#endif
